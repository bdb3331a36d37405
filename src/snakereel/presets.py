"""Render presets: resolution, frame rate and encoder settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass

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
        "production", 1080, 1920, 30, "superfast", 23, "animation", STILL_MOTION, "p5", 23, "160k"
    ),
}


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise SnakereelError(
            f"unknown preset '{name}'", field="preset", hint=f"use one of: {', '.join(PRESETS)}"
        ) from None
