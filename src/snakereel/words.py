"""Word timings, shared by the speech engines, the aligner and the captions.

Kept free of numpy so that the render job, which writes captions, starts quickly."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WordTiming:
    word: str
    start: float
    end: float


def read_words(path: str | Path) -> list[WordTiming]:
    return [WordTiming(**item) for item in json.loads(Path(path).read_text(encoding="utf-8"))]
