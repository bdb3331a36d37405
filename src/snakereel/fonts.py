"""Fonts shipped as packages (OFL), so rendering never depends on system fonts."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from .errors import SnakereelError

FONT_PACKAGES = {"Bebas Neue": "fontpkg_bebas_neue", "Montserrat": "fontpkg_montserrat"}


def font_file(family: str) -> Path:
    package = FONT_PACKAGES.get(family)
    if package is None:
        raise SnakereelError(
            f"unknown font '{family}'",
            field="captions.font",
            hint=f"use one of: {', '.join(FONT_PACKAGES)}",
        )
    try:
        root = Path(import_module(package).ROOT) / "files"
    except ImportError:
        raise SnakereelError(
            f"font package {package} is not installed",
            hint=f"pip install {package.replace('_', '-')}",
        ) from None
    return sorted(p for p in root.glob("*.ttf") if "Italic" not in p.name)[0]


def fonts_dir(family: str) -> Path:
    return font_file(family).parent
