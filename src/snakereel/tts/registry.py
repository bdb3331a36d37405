"""Engine registry: loading engines, speaking through a fallback chain, `snakereel voices`.

Each engine of a voice's chain (see `snakereel.voice`) is tried in order; one that is not
installed, whose model cannot be found or whose synthesis fails hands over to the next,
and the job logs why. `speech.json` records the engine that spoke.
"""

from __future__ import annotations

import importlib
import logging
import traceback

from .. import floor
from ..errors import SnakereelError
from .speech import Speech

log = logging.getLogger("snakereel.tts")

HELP = "List the TTS engines installed, their voices and where their models come from."

ENGINES = {
    "piper": "snakereel.tts.piper:PiperEngine",
    "kokoro": "snakereel.tts.kokoro:KokoroEngine",
    "chatterbox": "snakereel.tts.chatterbox:ChatterboxEngine",
}


def load(name: str, settings: dict):
    """Import and load one engine; a missing package is `EngineUnavailable`."""
    if name not in ENGINES:
        raise SnakereelError(f"unknown TTS engine '{name}'", field="voice.engine")
    module_name, class_name = ENGINES[name].split(":")
    module = importlib.import_module(module_name)
    return getattr(module, class_name).from_settings(settings)


def load_engine(settings: dict):
    """Load the engine named in flat `settings` (default Piper), once per job."""
    return load(settings.get("engine", "piper"), settings)


def speak(text: str, spec: dict, loader=load) -> Speech:
    """Synthesize `text` with the first engine of the chain that can; log every hand-over."""
    engines = spec["engines"]
    failures = []
    for index, name in enumerate(engines):
        try:
            engine = loader(name, spec.get(name, {}))
            with floor.work():
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
        return speech.with_silence(spec.get("pause", 0)).spoken_by(name, voice, index > 0)
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
