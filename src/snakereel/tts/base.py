"""Engine protocol and what engines share: reading WAVs, words and their timings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

import numpy as np

from ..io import read_pcm
from ..words import WordTiming
from .speech import Speech


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    pcm, rate = read_pcm(path)
    return np.frombuffer(pcm, dtype="<i2"), rate


def split_words(text: str) -> list[str]:
    """Whitespace tokens; a token without letters or digits joins the previous word."""
    return [text[start:end] for start, end in word_bounds(text)]


def word_bounds(text: str) -> list[tuple[int, int]]:
    """Character spans of the words `split_words` returns."""
    bounds: list[tuple[int, int]] = []
    for match in re.finditer(r"\S+", text):
        if bounds and not re.search(r"\w", match.group()):
            bounds[-1] = (bounds[-1][0], match.end())
        else:
            bounds.append(match.span())
    return bounds


def fill_word_gaps(words: list[str], spans: list[list[int]], rate: int) -> list[WordTiming]:
    """Word timings from per-word sample spans; a word without one sits between its neighbours."""
    timings: list[WordTiming] = []
    for i, word in enumerate(words):
        if spans[i]:
            start, end = min(spans[i]), max(spans[i])
        else:  # unmatched: between its neighbours
            start = max(spans[i - 1]) if i and spans[i - 1] else 0
            later = [min(s) for s in spans[i + 1 :] if s]
            end = later[0] if later else start
        if timings:
            start = max(start, round(timings[-1].end * rate))
        end = max(end, start)
        timings.append(WordTiming(word, round(start / rate, 3), round(end / rate, 3)))
    return timings


class Engine(Protocol):
    def synthesize(self, text: str) -> Speech: ...
