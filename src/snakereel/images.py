"""Segment images: a user's file fitted to the frame, or a generated title card.

numpy is imported inside the functions that draw: this module is loaded with every
workflow (size checks, the cards' code version), and numpy would add ~0.08 s to every
Snakemake start, a no-op included."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from .errors import SnakereelError
from .fonts import font_file
from .io import atomic_path
from .platforms import safe_area

SIZE = (1080, 1920)  # images are made once at full size; presets scale them at render
CANVASES = {"9:16": SIZE, "16:9": (1920, 1080), "1:1": (1080, 1080)}
TITLE_STROKE = 3
MIN_SIDE = 64
MAX_PIXELS = 60_000_000  # refuse decompression bombs before decoding


def _rgb(hex_color: str):
    import numpy as np

    return np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float32)


def gradient(palette: list[str], size: tuple[int, int] = SIZE) -> Image.Image:
    """A vertical gradient: one column computed, then stretched sideways by Pillow."""
    import numpy as np

    width, height = size
    stops = np.linspace(0, 1, len(palette))
    y = np.linspace(0, 1, height)
    colors = np.stack([_rgb(c) for c in palette])
    column = np.stack([np.interp(y, stops, colors[:, ch]) for ch in range(3)], axis=1)
    column_image = Image.fromarray(column.round().astype(np.uint8)[:, None, :], "RGB")
    return column_image.resize(size, Image.Resampling.NEAREST)


GLOW_SCALE = 4  # the glow is drawn and blurred at a quarter size: a 90 px blur hides it


def _glow(image: Image.Image, accent: str, seed_text: str) -> Image.Image:
    """Soft accent circles placed from the segment's text: cards differ, deterministically."""
    import numpy as np

    seed = int.from_bytes(hashlib.sha256(seed_text.encode()).digest()[:8], "little")
    rng = np.random.default_rng(seed)
    small = (image.width // GLOW_SCALE, image.height // GLOW_SCALE)
    layer = Image.new("RGBA", small, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    red, green, blue = (int(v) for v in _rgb(accent))
    for _ in range(3):
        radius = int(rng.integers(180, 420))
        x, y = int(rng.integers(0, image.width)), int(rng.integers(0, image.height))
        box = [(x - radius) / GLOW_SCALE, (y - radius) / GLOW_SCALE]
        box += [(x + radius) / GLOW_SCALE, (y + radius) / GLOW_SCALE]
        draw.ellipse(box, fill=(red, green, blue, int(rng.integers(28, 60))))
    layer = layer.filter(ImageFilter.GaussianBlur(90 / GLOW_SCALE))
    layer = layer.resize(image.size, Image.Resampling.BILINEAR)
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


def canvas_size(aspect: str) -> tuple[int, int]:
    return CANVASES[aspect]


def _title(image: Image.Image, title: str, accent: str) -> None:
    """Up to three lines, centred, inside the platforms' safe area from its top."""
    font = ImageFont.truetype(str(font_file("Montserrat")), 84)
    font.set_variation_by_axes([800])
    draw = ImageDraw.Draw(image)
    left, top, right, _ = safe_area(*image.size)
    lines = _wrap(title, font, right - left - 2 * TITLE_STROKE)[:3]
    y = max(top + 40, round(image.height * 0.17))
    for line in lines:
        box = draw.textbbox((0, 0), line, font=font)
        x = (image.width - (box[2] - box[0])) // 2
        draw.text(
            (x, y),
            line,
            font=font,
            fill=(255, 255, 255),
            stroke_width=TITLE_STROKE,
            stroke_fill=(0, 0, 0),
        )
        y += (box[3] - box[1]) + 28
    bar_width = 160
    draw.rectangle(
        ((image.width - bar_width) // 2, y + 10, (image.width + bar_width) // 2, y + 22),
        fill=tuple(int(v) for v in _rgb(accent)),
    )


def _wrap(title: str, font, width: int) -> list[str]:
    """Lines of whole words no wider than `width` (a longer word gets a line of its own)."""
    lines: list[str] = []
    for word in title.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def make_card(
    palette: list[str], accent: str, title: str, seed_text: str, size: tuple[int, int] = SIZE
) -> Image.Image:
    image = _glow(gradient(palette, size), accent, seed_text)
    if title:
        _title(image, title, accent)
    return image


def check_size(size: tuple[int, int], what: str, *, file: object, field: str = "") -> None:
    """Refuse decompression bombs before decoding, and thumbnails."""
    width, height = size
    if width * height > MAX_PIXELS:
        raise SnakereelError(
            f"{what} is too large ({width}x{height})",
            file=file,
            field=field,
            hint=f"use at most {MAX_PIXELS // 1_000_000} megapixels",
        )
    if min(width, height) < MIN_SIDE:
        raise SnakereelError(
            f"{what} is too small ({width}x{height})",
            file=file,
            field=field,
            hint=f"use at least {MIN_SIDE} pixels a side; 1080x1920 fits the frame",
        )


def decode_image(source, where: object, size: tuple[int, int] = SIZE) -> Image.Image:
    """Open an image (path or file object) safely and fit it to the frame without distortion.

    `where` names the file or provider in errors."""
    try:
        with Image.open(source) as probe:
            check_size(probe.size, "image", file=where)
            image = ImageOps.exif_transpose(probe).convert("RGB")
    except (OSError, Image.DecompressionBombError) as error:
        raise SnakereelError(f"not a readable image ({error})", file=where) from None
    return fit(image, size)


def fit(image: Image.Image, size: tuple[int, int] = SIZE) -> Image.Image:
    """Scale and centre-crop to the canvas: never stretched, never letterboxed."""
    return ImageOps.fit(image, size, Image.Resampling.LANCZOS)


def load_image_file(path: Path) -> Image.Image:
    """Open a user's image safely and fit it to the frame without distortion."""
    return decode_image(path, path)


@functools.cache
def code_version() -> str:
    """A short hash of this module: cards and fitting change when it does, so the image
    rule's params (and with them the between-workflow cache key) follow the code."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def save_png(image: Image.Image, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        image.save(tmp, format="PNG", compress_level=1)
