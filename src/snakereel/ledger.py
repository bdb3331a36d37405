"""The per-channel ledger: state a channel's videos share, read on purpose, never an input.

Some choices depend on the channel's other videos: stock clips its recent videos used,
titles it already has, the upload slots already taken. Making those files inputs would
rebuild every video whenever one changes, so jobs read and update one small JSON file per
channel (`Layout.ledger`) instead, under a lock, each section owned by one kind of job:

    {"footage": {"<video>": [clip ids]}, "schedule": {"<video>": "<publish time>"}}

A job reads the ledger when it makes its choice and records the choice when it succeeds;
what it read is written to its own log, so a rebuild can be traced.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
from collections.abc import Callable, Iterator
from pathlib import Path

from .io import write_json_atomic


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _load(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_section(path: Path, section: str) -> dict:
    """One section of the ledger ({} when there is none yet)."""
    with _locked(Path(path)):
        return _load(Path(path)).get(section, {})


def update_section(path: Path, section: str, change: Callable[[dict], None]) -> dict:
    """Apply `change` to one section in place, under the lock, and write atomically."""
    path = Path(path)
    with _locked(path):
        data = _load(path)
        change(data.setdefault(section, {}))
        write_json_atomic(path, data)
        return data[section]
