"""Engine protocol and the speech result shared by every engine."""

from __future__ import annotations

import json
import wave
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import SnakereelError
from ..io import atomic_path, write_json_atomic


@dataclass(frozen=True)
class WordTiming:
    word: str
    start: float
    end: float


@dataclass
class Speech:
    samples: np.ndarray  # int16 mono
    sample_rate: int
    words: list[WordTiming]

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    def with_silence(self, seconds: float) -> Speech:
        pad = np.zeros(round(seconds * self.sample_rate), dtype=np.int16)
        return Speech(np.concatenate([self.samples, pad]), self.sample_rate, self.words)

    def save(self, wav_path: str | Path, words_path: str | Path) -> None:
        with atomic_path(wav_path) as tmp, wave.open(str(tmp), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(self.sample_rate)
            out.writeframes(self.samples.astype("<i2").tobytes())
        write_json_atomic(words_path, [asdict(w) for w in self.words])


def read_words(path: str | Path) -> list[WordTiming]:
    return [WordTiming(**item) for item in json.loads(Path(path).read_text(encoding="utf-8"))]


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise SnakereelError("expected 16-bit mono WAV", file=path)
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2"), wav.getframerate()


class Engine(Protocol):
    def synthesize(self, text: str) -> Speech: ...


def load_engine(settings: dict) -> Engine:
    """Load the engine named in a channel's `voice` settings, once per job."""
    engine = settings.get("engine", "piper")
    if engine == "piper":
        from .piper import PiperEngine

        return PiperEngine.from_settings(settings)
    raise SnakereelError(f"unknown TTS engine '{engine}'", field="voice.engine")
