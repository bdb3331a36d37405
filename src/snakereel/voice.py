"""Voice settings: the engine chain, what each engine reads, and a segment's override.

A channel's `voice` names one engine (`engine: piper`) or a chain (`engines: [chatterbox,
kokoro, piper]`). The project layer resolves every segment's effective voice with
`segment_voice`; the tts rule's params carry `voice_spec` of it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .errors import SnakereelError
from .schema import SAFE_ID, validate

# Piper's settings sit at the top of `voice` (the original layout); the others in a sub-map.
PIPER_KEYS = ("voice", "length_scale", "noise_scale", "noise_w", "speaker")


def chain_of(voice: dict) -> list[str]:
    return list(voice.get("engines") or [voice.get("engine", "piper")])


def engine_settings(voice: dict, name: str) -> dict:
    """The flat settings one engine reads; `seed` defaults to the voice's seed."""
    if name == "piper":
        settings = {key: voice[key] for key in PIPER_KEYS if key in voice}
    else:
        settings = dict(voice.get(name) or {})
    settings.setdefault("seed", voice.get("seed", 0))
    return settings


def voice_spec(voice: dict) -> dict:
    """Exactly what shapes the speech: the chain, the pause and each chained engine's settings.

    Settings of engines outside the chain are left out, so editing them rebuilds nothing.
    """
    engines = chain_of(voice)
    spec = {"engines": engines, "pause": voice.get("pause", 0.35)}
    spec.update({name: engine_settings(voice, name) for name in engines})
    return spec


def merge_voice(channel_voice: dict, override: dict) -> dict:
    """A segment's `voice` over its channel's; naming `engine` alone replaces the chain."""
    merged = {**channel_voice}
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    if "engine" in override and "engines" not in override:
        merged.pop("engines", None)
    return merged


def segment_voice(channel_voice: dict, override: dict, path, field: str) -> dict:
    """Merge and validate a segment's override against the channel schema's voice rules."""
    merged = merge_voice(channel_voice, override)
    try:
        checked = validate({"title": "-", "voice": merged}, "channel", path)
    except SnakereelError as error:
        name = error.field.removeprefix("voice")
        raise SnakereelError(
            error.message, file=path, field=field + name, hint=error.hint
        ) from None
    return checked["voice"]


def model_key(name: str) -> str:
    """A file-name-safe key for a Piper voice: its name, or a digest of a path."""
    if SAFE_ID.fullmatch(name):
        return name
    stem = re.sub(r"[^A-Za-z0-9_-]", "-", Path(name).stem)[:40].strip("-_") or "voice"
    return f"{stem}-{hashlib.sha1(name.encode()).hexdigest()[:10]}"


def env_file(voice: dict) -> str:
    """The conda env of a tts job: Chatterbox pins an old torch, so chains naming it get an
    env of their own; Kokoro needs torch; Piper alone needs neither."""
    chain = chain_of(voice)
    for engine in ("chatterbox", "kokoro"):
        if engine in chain:
            return f"{engine}.yaml"
    return "tts.yaml"
