"""Contact sheet: one thumbnail per segment (a frame of its clip), its text and timing."""

from __future__ import annotations

import contextlib
import io
import math
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from . import ffmpeg
from .errors import SnakereelError
from .fonts import font_file
from .io import atomic_path

THUMB_W, THUMB_H = 216, 384  # 9:16; other aspects keep the long side, 384
THUMB_LONG = 384
TEXT_H = 140  # id, timing, then up to 4 lines of text
GAP = 16
HEADER_H = 76
MAX_COLUMNS = 5
TEXT_LINES = 4
BACKGROUND = (24, 24, 28)
INK = (235, 235, 235)
MUTED = (160, 160, 170)
ACCENT = (255, 210, 63)
# The thumbnail's moment: early enough that only a few frames are decoded after the clip's
# one keyframe (cheaper than the middle: docs/performance.md), late enough for the first
# caption.
# (Clips shorter than this show their first frame.)
THUMB_AT = 0.5


@dataclass(frozen=True)
class Tile:
    segment: str
    text: str
    start: float
    duration: float


def grid(count: int) -> tuple[int, int]:
    """(columns, rows): as few rows as MAX_COLUMNS allows, filled evenly (6 -> 3x2)."""
    rows = math.ceil(count / MAX_COLUMNS)
    columns = math.ceil(count / rows)
    return columns, rows


def sheet_size(count: int, thumb: tuple[int, int] = (THUMB_W, THUMB_H)) -> tuple[int, int]:
    columns, rows = grid(count)
    width = columns * thumb[0] + (columns + 1) * GAP
    height = HEADER_H + rows * (thumb[1] + TEXT_H) + (rows + 1) * GAP
    return width, height


def tile_box(
    index: int, count: int, thumb: tuple[int, int] = (THUMB_W, THUMB_H)
) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of tile `index`'s thumbnail."""
    row, column = divmod(index, grid(count)[0])
    left = GAP + column * (thumb[0] + GAP)
    top = HEADER_H + GAP + row * (thumb[1] + TEXT_H + GAP)
    return left, top, left + thumb[0], top + thumb[1]


def clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


def frame_and_duration(clip: str | Path) -> tuple[Image.Image, float]:
    """One ffmpeg run per clip: a frame THUMB_AT seconds in (the first frame of a shorter
    clip), scaled to a thumbnail of its aspect, and the clip's duration from the header
    ffmpeg prints."""
    fit = f"scale={THUMB_LONG}:{THUMB_LONG}:force_original_aspect_ratio=decrease"
    for seconds in (THUMB_AT, 0.0):
        command = [ffmpeg.ffmpeg_exe(), "-hide_banner", "-nostdin", "-ss", f"{seconds:.3f}"]
        command += ["-i", str(clip), "-an", "-frames:v", "1", "-vf", fit]
        command += ["-f", "image2pipe", "-c:v", "png", "-"]
        done = subprocess.run(command, capture_output=True)
        if done.returncode == 0 and done.stdout:
            duration = ffmpeg.duration_in(done.stderr.decode(errors="replace"), clip)
            return Image.open(io.BytesIO(done.stdout)).convert("RGB"), duration
    raise SnakereelError("could not read a frame", file=clip)


def wrap(text: str, font, width: int, lines: int) -> list[str]:
    out: list[str] = []
    for word in text.split():
        if out and font.getlength(out[-1] + " " + word) <= width:
            out[-1] += " " + word
        else:
            out.append(word)
    if len(out) > lines:
        out = out[:lines]
        while out[-1] and font.getlength(out[-1] + "…") > width:
            out[-1] = out[-1][:-1]
        out[-1] += "…"
    return out


def _font(size: int, weight: int):
    font = ImageFont.truetype(str(font_file("Montserrat")), size)
    with contextlib.suppress(OSError):  # a static font keeps its own weight
        font.set_variation_by_axes([weight])  # the packaged Montserrat is a variable font
    return font


def make_sheet(title: str, tiles: list[Tile], frames: list[Image.Image]) -> Image.Image:
    if not tiles:
        raise SnakereelError("a contact sheet needs at least one segment")
    heading, label, body = _font(26, 700), _font(16, 600), _font(14, 400)
    thumb = frames[0].size if frames else (THUMB_W, THUMB_H)
    sheet = Image.new("RGB", sheet_size(len(tiles), thumb), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    total = sum(tile.duration for tile in tiles)
    summary = f"{len(tiles)} segments, {clock(total)}"
    draw.text((GAP, 12), wrap(title, heading, sheet.width - 2 * GAP, 1)[0], font=heading, fill=INK)
    draw.text((GAP, 50), summary, font=label, fill=MUTED)
    for index, (tile, frame) in enumerate(zip(tiles, frames, strict=True)):
        left, top, right, bottom = tile_box(index, len(tiles), thumb)
        sheet.paste(frame.resize(thumb), (left, top))
        end = tile.start + tile.duration
        name = wrap(f"{index + 1}. {tile.segment}", label, thumb[0], 1)[0]
        draw.text((left, bottom + 8), name, font=label, fill=ACCENT)
        timing = f"{clock(tile.start)} – {clock(end)}  ({tile.duration:.1f} s)"
        draw.text((left, bottom + 30), timing, font=body, fill=MUTED)
        for number, line in enumerate(wrap(tile.text, body, thumb[0], TEXT_LINES)):
            draw.text((left, bottom + 54 + number * 20), line, font=body, fill=INK)
    return sheet


def contact_sheet(title: str, segments: list[dict], clips: list, out: str | Path) -> None:
    """`segments`: [{"id", "text"}] in video order, one clip each."""
    if len(segments) != len(clips):
        raise SnakereelError(f"{len(segments)} segments but {len(clips)} clips", file=out)
    tiles, frames, start = [], [], 0.0
    for segment, clip in zip(segments, clips, strict=True):
        frame, duration = frame_and_duration(clip)
        tiles.append(Tile(segment["id"], segment["text"], start, duration))
        frames.append(frame)
        start += duration
    sheet = make_sheet(title, tiles, frames)
    with atomic_path(out) as tmp:
        sheet.save(tmp, format="PNG", optimize=False)
