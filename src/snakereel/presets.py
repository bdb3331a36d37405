"""Render presets: resolution, frame rate and encoder settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from .errors import SnakereelError


@dataclass(frozen=True)
class Preset:
    name: str
    width: int
    height: int
    fps: int
    x264_preset: str
    crf: int
    x264_tune: str  # "" for none
    x264_params: str  # extra libx264 options, "key=value:key=value"
    nvenc_preset: str
    cq: int
    audio_bitrate: str
    # YouTube's upload settings that cost encode time or bytes: closed GOPs of half a
    # second, 2 B-frames, the bitrate cap (docs/platforms.md). Proofs skip them.
    upload_ready: bool = False

    def as_params(self) -> dict:
        return asdict(self)


# A slowly moving still with captions: superfast's cheap motion search is enough, and
# macroblock-tree rate control (off in superfast, so switched back on with a short
# lookahead) keeps the files smaller than x264 `medium`'s. Measured in bench/render.py and
# docs/performance.md.
STILL_MOTION = "mbtree=1:rc-lookahead=10"

PRESETS = {
    "draft": Preset("draft", 540, 960, 24, "ultrafast", 30, "", "", "p1", 30, "96k"),
    "preview": Preset(
        "preview", 720, 1280, 30, "superfast", 26, "animation", STILL_MOTION, "p3", 26, "128k"
    ),
    "production": Preset(
        "production",
        1080,
        1920,
        30,
        "superfast",
        23,
        "animation",
        STILL_MOTION,
        "p5",
        23,
        "160k",
        True,
    ),
}


ASPECTS = ("9:16", "16:9", "1:1")


def get_preset(name: str, aspect: str = "9:16") -> Preset:
    """The preset at an aspect: its 9:16 size turned landscape or made square."""
    try:
        preset = PRESETS[name]
    except KeyError:
        raise SnakereelError(
            f"unknown preset '{name}'", field="preset", hint=f"use one of: {', '.join(PRESETS)}"
        ) from None
    short, long = preset.width, preset.height
    sizes = {"9:16": (short, long), "16:9": (long, short), "1:1": (short, short)}
    if aspect not in sizes:
        raise SnakereelError(
            f"unknown aspect '{aspect}'", field="aspect", hint=f"use one of: {', '.join(ASPECTS)}"
        )
    width, height = sizes[aspect]
    return replace(preset, width=width, height=height)
