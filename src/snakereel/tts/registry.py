"""Engine registry: the fallback chain, the settings each engine sees, `snakereel voices`.

A channel's `voice` section names one engine (`engine: piper`) or a chain
(`engines: [chatterbox, kokoro, piper]`). Each engine is tried in order; one that is
not installed, whose model cannot be found or whose synthesis fails hands over to the
next, and the job logs why. `speech.json` records the engine that spoke.
"""

from __future__ import annotations

import importlib
import logging
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import SnakereelError

if TYPE_CHECKING:  # numpy stays out of the workflow's start (rules/common.smk imports this)
    from .base import Speech

log = logging.getLogger("snakereel.tts")

HELP = "List the TTS engines installed, their voices and where their models come from."

ENGINES = {
    "piper": "snakereel.tts.piper:PiperEngine",
    "kokoro": "snakereel.tts.kokoro:KokoroEngine",
    "chatterbox": "snakereel.tts.chatterbox:ChatterboxEngine",
}
# Piper's settings sit at the top of `voice` (the original layout); the others in a sub-map.
PIPER_KEYS = ("voice", "length_scale", "noise_scale", "noise_w", "speaker")


class EngineUnavailable(SnakereelError):
    """The engine's package or model is missing: not a bug, the chain moves on."""


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
    from ..config import validate

    merged = merge_voice(channel_voice, override)
    try:
        checked = validate({"title": "-", "voice": merged}, "channel", path)
    except SnakereelError as error:
        name = error.field.removeprefix("voice")
        raise SnakereelError(
            error.message, file=path, field=field + name, hint=error.hint
        ) from None
    return checked["voice"]


def load(name: str, settings: dict):
    """Import and load one engine; a missing package is `EngineUnavailable`."""
    if name not in ENGINES:
        raise SnakereelError(f"unknown TTS engine '{name}'", field="voice.engine")
    module_name, class_name = ENGINES[name].split(":")
    module = importlib.import_module(module_name)
    return getattr(module, class_name).from_settings(settings)


@dataclass
class Spoken:
    speech: Speech
    engine: str
    voice: str
    fallback: bool

    def metadata(self) -> dict:
        return {
            "engine": self.engine,
            "voice": self.voice,
            "duration": round(self.speech.duration, 3),
            "fallback": self.fallback,
        }


def speak(text: str, spec: dict, loader=load) -> Spoken:
    """Synthesize `text` with the first engine of the chain that can; log every hand-over."""
    engines = spec["engines"]
    failures = []
    for index, name in enumerate(engines):
        try:
            engine = loader(name, spec.get(name, {}))
            speech = engine.synthesize(text)
        except Exception as error:  # any failure hands over to the next engine
            reason = error.one_line() if isinstance(error, SnakereelError) else repr(error)
            if not isinstance(error, SnakereelError):
                log.info("%s traceback:\n%s", name, traceback.format_exc())
            if len(engines) == 1:
                if isinstance(error, SnakereelError):
                    raise
                raise SnakereelError(f"{name} synthesis failed: {reason}") from error
            failures.append(f"{name}: {reason}")
            later = engines[index + 1] if index + 1 < len(engines) else None
            log.warning("engine %s failed (%s)%s", name, reason, f"; trying {later}" * bool(later))
            continue
        voice = getattr(engine, "voice_name", "")
        log.info("spoken by %s (voice %s)%s", name, voice, " as a fallback" * (index > 0))
        return Spoken(speech.with_silence(spec.get("pause", 0)), name, voice, index > 0)
    raise SnakereelError("no engine of the chain could speak: " + "; ".join(failures))


# ---- `snakereel voices` ---------------------------------------------------------------


def add_arguments(parser) -> None:
    parser.add_argument("--engine", choices=sorted(ENGINES), help="only this engine")


def run(args) -> int:
    for name in sorted(ENGINES, key=list(ENGINES).index):
        if args.engine and name != args.engine:
            continue
        module = importlib.import_module(ENGINES[name].split(":")[0])
        report = module.describe()
        state = "installed" if report["installed"] else "not installed"
        print(f"{name}: {state}")
        if not report["installed"]:
            print(f"  install: {report['install']}")
        print(f"  models: {report['models']}")
        for voice, where in report["voices"]:
            print(f"  - {voice}: {where}")
        if report.get("missing"):
            print(f"  no model found: {report['missing']}")
    return 0
