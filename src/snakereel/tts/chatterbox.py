"""Chatterbox (Resemble AI): voice cloning from a short sample, in its own environment.

`chatterbox-tts` pins an old torch, numpy < 2 and exact transformers/gradio versions, so it
never enters the main environment: the workflow runs chains that name it in
`envs/chatterbox.yaml` (`--software-deployment-method conda`), or install it by hand in a
separate venv (`pip install -e .[chatterbox]`). Weights come from `voice.chatterbox.model`
or the Hugging Face cache, never downloaded at run time.

Chatterbox gives no word timings. We align the audio to the known text with
`snakereel.tts.align.align_audio` when that module is present; otherwise we take Piper's word
timings for the same text and scale them onto the span where Chatterbox's audio is
actually voiced (first to last non-silent 10 ms frame). That is an estimate: relative word
lengths come from another voice, only the start and end are measured.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import random
from pathlib import Path

import numpy as np

from ..errors import EngineUnavailable
from .base import Speech, WordTiming

log = logging.getLogger("snakereel.tts")

REPO_ID = "ResembleAI/chatterbox"
FILES = ("ve.safetensors", "t3_cfg.safetensors", "s3gen.safetensors", "tokenizer.json")
GET_MODEL = (
    f"download {REPO_ID} once (`hf download {REPO_ID}`), or set voice.chatterbox.model "
    f"to a folder holding {', '.join(FILES)} and conds.pt"
)
INSTALL = (
    "run with --software-deployment-method conda (envs/chatterbox.yaml), "
    "or pip install -e .[chatterbox] in a separate venv"
)


def checkpoint_dir(settings: dict) -> Path:
    """The folder with Chatterbox's weights: configured, or the Hugging Face cache."""
    folder = settings.get("model")
    if folder:
        folder = Path(folder).expanduser()
    else:
        try:
            from huggingface_hub import try_to_load_from_cache
        except ImportError:
            try_to_load_from_cache = None
        found = try_to_load_from_cache and try_to_load_from_cache(REPO_ID, FILES[0])
        folder = Path(found).parent if isinstance(found, str) else None
    if folder is None or not all((folder / name).is_file() for name in FILES):
        where = f"in {folder}" if settings.get("model") else "in the Hugging Face cache"
        raise EngineUnavailable(
            f"Chatterbox model not found {where}", field="voice.chatterbox.model", hint=GET_MODEL
        )
    return folder


def load_model(settings: dict):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if importlib.util.find_spec("chatterbox") is None:
        raise EngineUnavailable("Chatterbox is not installed", field="voice.engine", hint=INSTALL)
    folder = checkpoint_dir(settings)  # before the slow imports: fail fast
    from chatterbox.tts import ChatterboxTTS

    return ChatterboxTTS.from_local(folder, "cpu")


def generate_kwargs(settings: dict) -> dict:
    """Every Chatterbox setting, mapped onto `ChatterboxTTS.generate`'s arguments."""
    return {
        "audio_prompt_path": settings.get("sample_file") or None,
        "exaggeration": settings.get("exaggeration", 0.5),
        "cfg_weight": settings.get("cfg_weight", 0.5),
        "temperature": settings.get("temperature", 0.8),
    }


def seed_everything(seed: int) -> None:
    """Chatterbox samples with torch (and numpy/random in its helpers)."""
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch
    except ImportError:  # only a stand-in model runs without torch
        return
    torch.manual_seed(seed)


class ChatterboxEngine:
    def __init__(self, settings: dict, model=None, timer=None):
        """`model` is a loaded ChatterboxTTS (or an object with its interface)."""
        if settings.get("sample_path") and not settings.get("sample_file"):
            raise EngineUnavailable(
                f"voice sample {settings['sample_path']} not found",
                field="voice.chatterbox.sample_path",
                hint="put the audio file in the channel folder",
            )
        self.settings = settings
        self.model = model if model is not None else load_model(settings)
        self.voice_name = (
            Path(settings["sample_path"]).name if settings.get("sample_path") else "builtin"
        )
        self.timer = timer or word_timer

    @classmethod
    def from_settings(cls, settings: dict) -> ChatterboxEngine:
        return cls(settings)

    def synthesize(self, text: str) -> Speech:
        kwargs = generate_kwargs(self.settings)
        # the seed follows the sample's name in the channel, not where this job finds it
        stable = {**kwargs, "audio_prompt_path": self.settings.get("sample_path")}
        key = json.dumps([self.settings.get("seed", 0), text, stable], sort_keys=True)
        seed_everything(int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "little"))
        wav = self.model.generate(text, **kwargs)
        audio = np.asarray(wav.detach().cpu().numpy() if hasattr(wav, "detach") else wav)
        audio = np.clip(audio.reshape(-1).astype(np.float32), -1, 1)
        samples = (audio * 32767).astype(np.int16)
        rate = int(self.model.sr)
        return Speech.from_samples(samples, rate, self.timer(samples, rate, text))


def word_timer(samples: np.ndarray, rate: int, text: str) -> list[WordTiming]:
    """The aligner when it exists, else Piper's timings scaled onto the voiced span."""
    try:
        from .align import align_audio
    except ImportError:
        return scaled_reference_timings(samples, rate, text)
    return align_audio(samples, rate, text)


def voiced_span(samples: np.ndarray, rate: int) -> tuple[float, float]:
    """First and last 10 ms frame louder than 5% of the loudest (seconds)."""
    frame = max(rate // 100, 1)
    count = len(samples) // frame
    if count == 0:
        return 0.0, len(samples) / rate
    frames = samples[: count * frame].astype(np.float64).reshape(count, frame)
    energy = np.sqrt(np.mean(frames**2, axis=1))
    loud = np.flatnonzero(energy > energy.max() * 0.05)
    if len(loud) == 0:
        return 0.0, len(samples) / rate
    return loud[0] * frame / rate, (loud[-1] + 1) * frame / rate


def scaled_reference_timings(samples, rate, text, reference=None) -> list[WordTiming]:
    """Piper's word timings for `text`, stretched onto `samples`' voiced span."""
    if reference is None:
        from .piper import PiperEngine

        reference = PiperEngine.from_settings({"voice": "en_US-joe-medium"}).synthesize(text)
    ref_start, ref_end = voiced_span(reference.samples, reference.sample_rate)
    start, end = voiced_span(samples, rate)
    scale = (end - start) / max(ref_end - ref_start, 1e-6)

    def moved(t: float) -> float:
        return round(float(min(max(start + (t - ref_start) * scale, 0.0), len(samples) / rate)), 3)

    log.info("chatterbox word timings: Piper reference scaled by %.3f (no aligner)", scale)
    return [WordTiming(w.word, moved(w.start), moved(w.end)) for w in reference.words]


def describe() -> dict:
    voices, missing = [], None
    try:
        folder = checkpoint_dir({})
        voices = [("builtin", f"{folder} (Hugging Face cache); clone any voice with sample_path")]
    except EngineUnavailable as error:
        missing = error.hint
    return {
        "installed": importlib.util.find_spec("chatterbox") is not None,
        "install": INSTALL,
        "models": f"voice.chatterbox.model folder, or {REPO_ID} in the Hugging Face cache",
        "voices": voices,
        "missing": missing,
    }
