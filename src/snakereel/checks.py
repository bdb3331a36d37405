"""Cheap parse-time checks of user files, so a bad asset fails before any heavy work.

They run every time the workflow is loaded, so they read headers and decode as little
as they can: a JPEG is decoded at 1/8 scale, a PNG's chunks are checked (CRC) without
inflating them, audio is probed by ffmpeg's demuxer.
"""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from . import ffmpeg
from .errors import SnakereelError
from .images import MIN_SIDE, check_size


def check_image(path: Path, *, file: object, field: str) -> None:
    """A readable image of sane size (no decompression bomb, not a thumbnail)."""
    name = Path(path).name
    try:
        with Image.open(path) as image:
            check_size(image.size, f"image {name}", file=file, field=field)
            width, height = image.size
            if image.format == "PNG":
                image.verify()  # every chunk present and its CRC right: catches truncation
            else:
                image.draft("RGB", (max(MIN_SIDE, width // 8), max(MIN_SIDE, height // 8)))
                image.load()
    except SnakereelError:
        raise
    except UnidentifiedImageError:
        raise SnakereelError(
            f"{name} is not a readable image (unknown format)",
            file=file,
            field=field,
            hint="use a PNG, JPEG or WebP file",
        ) from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        reason = str(error).split(" (")[0] if str(error) else type(error).__name__
        raise SnakereelError(
            f"{name} is not a readable image ({reason})",
            file=file,
            field=field,
            hint="use a PNG, JPEG or WebP file",
        ) from None


def check_audio(path: Path, *, file: object, field: str) -> None:
    """A file ffmpeg can read with at least one audio stream of non-zero length."""
    name = Path(path).name
    text = ffmpeg.stderr_of(["-i", str(path)])
    duration = re.search(r"Duration: (\d+):(\d+):(\d+\.\d+)", text)
    seconds = 0.0
    if duration:
        hours, minutes, secs = duration.groups()
        seconds = int(hours) * 3600 + int(minutes) * 60 + float(secs)
    if not re.search(r"Stream #\S+.*: Audio:", text) or seconds <= 0:
        raise SnakereelError(
            f"{name} is not a readable audio file",
            file=file,
            field=field,
            hint="use a WAV, MP3, OGG or M4A file, or remove music.file for the generated track",
        )
