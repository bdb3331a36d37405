"""The per-channel ledger: sections, atomic writes, and updates from parallel jobs."""

import json
from concurrent.futures import ProcessPoolExecutor

from snakereel.ledger import read_section, update_section


def add_clip(args):
    path, video, clip = args
    update_section(path, "footage", lambda s: s.setdefault(video, []).append(clip))


def test_sections_are_separate_and_missing_ones_are_empty(tmp_path):
    path = tmp_path / "ledger" / "c.json"
    assert read_section(path, "footage") == {}
    update_section(path, "schedule", lambda s: s.update(v1="2026-12-03T12:00:00Z"))
    update_section(path, "footage", lambda s: s.update(v1=[7]))
    assert read_section(path, "schedule") == {"v1": "2026-12-03T12:00:00Z"}
    assert json.loads(path.read_text()) == {
        "footage": {"v1": [7]},
        "schedule": {"v1": "2026-12-03T12:00:00Z"},
    }


def test_parallel_updates_lose_nothing(tmp_path):
    path = tmp_path / "c.json"
    jobs = [(path, f"v{i % 4}", i) for i in range(40)]
    with ProcessPoolExecutor(4) as pool:
        list(pool.map(add_clip, jobs))
    footage = read_section(path, "footage")
    assert sorted(clip for clips in footage.values() for clip in clips) == list(range(40))


def test_a_corrupt_ledger_reads_as_empty_and_is_rewritten(tmp_path):
    path = tmp_path / "c.json"
    path.write_text("{not json")
    assert read_section(path, "footage") == {}
    update_section(path, "footage", lambda s: s.update(v=[1]))
    assert read_section(path, "footage") == {"v": [1]}
