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
    nvenc_preset: str
    cq: int
    audio_bitrate: str

    def as_params(self) -> dict:
        return asdict(self)


PRESETS = {
    "draft": Preset("draft", 540, 960, 24, "ultrafast", 30, "p1", 30, "96k"),
    "preview": Preset("preview", 720, 1280, 30, "veryfast", 26, "p3", 26, "128k"),
    "production": Preset("production", 1080, 1920, 30, "veryfast", 23, "p5", 23, "160k"),
}


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise SnakereelError(
            f"unknown preset '{name}'", field="preset", hint=f"use one of: {', '.join(PRESETS)}"
        ) from None
