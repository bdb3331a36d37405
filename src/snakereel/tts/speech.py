"""The one speech result: 16-bit mono PCM, word timings, and which engine spoke.

Engines return it, the speech server sends it, tts jobs save it. It holds bytes, not a
numpy array, so a tts job that gets its speech from the server never imports numpy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ..io import write_json_atomic, write_wav_atomic
from ..words import WordTiming


@dataclass(frozen=True)
class Speech:
    pcm: bytes  # int16 little-endian mono
    sample_rate: int
    words: list[WordTiming]
    engine: str = ""
    voice: str = ""
    fallback: bool = False

    @classmethod
    def from_samples(cls, samples, sample_rate: int, words: list[WordTiming]) -> Speech:
        return cls(samples.astype("<i2").tobytes(), sample_rate, words)

    @property
    def samples(self):
        import numpy as np  # lazy: only engines, the aligner and tests need the array

        return np.frombuffer(self.pcm, dtype="<i2")

    @property
    def duration(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate

    def with_silence(self, seconds: float) -> Speech:
        return replace(self, pcm=self.pcm + bytes(2 * round(seconds * self.sample_rate)))

    def spoken_by(self, engine: str, voice: str, fallback: bool = False) -> Speech:
        return replace(self, engine=engine, voice=voice, fallback=fallback)

    def metadata(self) -> dict:
        """What `speech.json` records."""
        return {
            "engine": self.engine,
            "voice": self.voice,
            "duration": round(self.duration, 3),
            "fallback": self.fallback,
        }

    def save(self, wav_path: str | Path, words_path: str | Path, meta_path=None) -> None:
        write_wav_atomic(wav_path, self.pcm, self.sample_rate)
        write_json_atomic(words_path, [asdict(word) for word in self.words])
        if meta_path is not None:
            write_json_atomic(meta_path, self.metadata())
