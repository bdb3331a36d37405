"""A royalty-free background track the project synthesises itself (CC0, like all its output).

Soft pad chords with a slow swell, seamless when looped: every chord fades in and out
inside its own bar, so the end of the loop meets its start in silence-free continuity.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from .io import atomic_path

RATE = 48000
BPM = 76
PROGRESSIONS = [  # semitone offsets of triads from the key's root
    [(0, 3, 7), (-4, 0, 3), (-9, -5, -2), (-2, 2, 5)],  # i  VI  III  VII (minor, uplifting)
    [(0, 4, 7), (-3, 0, 4), (5, 9, 12), (7, 11, 14)],  # I  vi  IV  V
    [(0, 4, 7), (7, 11, 14), (-3, 0, 4), (5, 9, 12)],  # I  V  vi  IV
]


def _note(frequency: float, seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    tone = sum(np.sin(2 * np.pi * frequency * k * t) / k**1.6 for k in (1, 2, 3))
    detuned = np.sin(2 * np.pi * frequency * 1.003 * t)
    envelope = np.sin(np.pi * t / seconds) ** 1.5  # swell in, fade out within the bar
    return (tone + 0.5 * detuned) * envelope


def synthesize(seed: int, bars: int = 8) -> np.ndarray:
    rng = np.random.default_rng(seed)
    progression = PROGRESSIONS[seed % len(PROGRESSIONS)]
    root = 110.0 * 2 ** (int(rng.integers(0, 7)) / 12)  # A2 .. E3
    bar = 4 * 60 / BPM
    track = []
    for index in range(bars):
        chord = progression[index % len(progression)]
        voices = [_note(root * 2 ** (step / 12), bar) for step in chord]
        bass = _note(root / 2 * 2 ** (chord[0] / 12), bar) * 0.8
        track.append(sum(voices) + bass)
    audio = np.concatenate(track)
    audio = np.convolve(audio, np.ones(24) / 24, mode="same")  # soften the highs
    return (audio / np.max(np.abs(audio)) * 0.8).astype(np.float32)


def write_music(path: str | Path, seed: int) -> None:
    samples = (synthesize(seed) * 32767).astype("<i2")
    with atomic_path(path) as tmp, wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())
