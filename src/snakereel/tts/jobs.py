"""What the workflow's tts rules need to know about a segment's voice (see rules/tts.smk)."""

from __future__ import annotations

import contextlib
import hashlib
import re
from pathlib import Path

from ..config import Channel, Segment, asset_path
from ..errors import SnakereelError
from .registry import chain_of

MODELS = "results/_models/piper"


def model_key(name: str) -> str:
    """A file-name-safe key for a voice: its name, or a digest of a path."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", name):
        return name
    stem = re.sub(r"[^A-Za-z0-9_-]", "-", Path(name).stem)[:40].strip("-_") or "voice"
    return f"{stem}-{hashlib.sha1(name.encode()).hexdigest()[:10]}"


def voice_of(channel: Channel, segment: Segment) -> dict:
    """The segment's voice settings: its own override merged over the channel's."""
    return segment.voice or channel.settings["voice"]


def piper_voices(channels: dict[str, Channel]) -> dict[str, str]:
    """Every Piper voice some segment may speak with, by model key."""
    voices = {}
    for channel in channels.values():
        settings = [channel.settings["voice"]] + [
            segment.voice
            for video in channel.videos.values()
            for segment in video.segments
            if segment.voice
        ]
        for voice in settings:
            if "piper" in chain_of(voice):
                voices[model_key(voice["voice"])] = voice["voice"]
    return voices


def piper_model_input(voice: str) -> list[str]:
    """A voice given as a .onnx path is an input of its prepared model."""
    return [voice, voice + ".json"] if voice.endswith(".onnx") else []


def inputs(channel: Channel, segment: Segment) -> dict[str, str]:
    """The prepared Piper model and the voice sample to clone, when the chain uses them."""
    voice = voice_of(channel, segment)
    chain = chain_of(voice)
    found = {}
    if "piper" in chain:
        found["piper_model"] = f"{MODELS}/{model_key(voice['voice'])}.onnx"
    sample = voice.get("chatterbox", {}).get("sample_path")
    if "chatterbox" in chain and sample:
        # a missing sample is no error here: the chain falls back, the job logs it
        with contextlib.suppress(SnakereelError):
            found["sample"] = str(asset_path(channel, sample))
    return found


def env_file(channel: Channel, segment: Segment) -> str:
    """The conda env of a segment's tts job: Chatterbox pins an old torch, so chains naming
    it get an env of their own; Kokoro needs torch; Piper alone needs neither."""
    chain = chain_of(voice_of(channel, segment))
    for engine in ("chatterbox", "kokoro"):
        if engine in chain:
            return f"{engine}.yaml"
    return "tts.yaml"
