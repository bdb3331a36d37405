"""Atomic output: a killed job leaves a temp file, never a file that looks finished.
(And the narration WAV format written here, read back.)"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import wave
from collections.abc import Iterator, Mapping
from pathlib import Path

from .errors import SnakereelError


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temp path beside `target` (same suffix); rename it over `target` on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Leftovers of a killed writer of this same target: the job is being redone, drop them.
    for stale in target.parent.glob(f".{glob.escape(target.stem)}.tmp*{target.suffix}"):
        stale.unlink(missing_ok=True)
    tmp = target.with_name(f".{target.stem}.tmp{os.getpid()}{target.suffix}")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(target: str | os.PathLike, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_wav_atomic(target: str | os.PathLike, pcm: bytes, rate: int) -> None:
    """16-bit little-endian mono PCM as a WAV file."""
    with atomic_path(target) as tmp, wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)


def read_pcm(path: str | os.PathLike) -> tuple[bytes, int]:
    """The 16-bit mono PCM of a WAV file and its rate (the format write_wav_atomic writes)."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise SnakereelError("expected 16-bit mono WAV", file=path)
        return wav.readframes(wav.getnframes()), wav.getframerate()


def _plain(value: object) -> dict:
    """The project layer's read-only mappings are written as the dicts they view."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def write_json_atomic(target: str | os.PathLike, data: object) -> None:
    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False, default=_plain)
    write_text_atomic(target, text + "\n")


def canonical_json(data: object) -> str:
    """One spelling per value, so Snakemake's params trigger reruns only on real changes."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    )
