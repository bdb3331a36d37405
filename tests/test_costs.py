"""Metadata pieces and the `snakereel costs` summary."""

import json

import pytest

from snakereel.cli import main
from snakereel.layout import Layout
from snakereel.metadata import benchmark_seconds, evict_fallbacks, job_from_log

BENCHMARK = (
    "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
    "1.8731\t0:00:01\t80.1\t900.2\t70.0\t71.0\t0.0\t0.4\t95.0\t1.7\n"
)


def test_benchmark_seconds_reads_the_wall_time_column(tmp_path):
    (tmp_path / "render.tsv").write_text(BENCHMARK)
    assert benchmark_seconds(tmp_path / "render.tsv") == pytest.approx(1.8731)
    assert benchmark_seconds(tmp_path / "missing.tsv") == 0.0


def test_cached_job_is_told_by_its_empty_log(tmp_path):
    ran = tmp_path / "ran.log"
    ran.write_text("2026-01-01 10:00:00 snakereel: done in 2.500 s\n")
    hit = tmp_path / "hit.log"
    hit.write_text("")
    (tmp_path / "cached.wav").write_bytes(b"RIFF")
    (tmp_path / "speech.wav").symlink_to(tmp_path / "cached.wav")
    assert job_from_log(ran, tmp_path / "speech.wav") == (False, 2.5)
    assert job_from_log(hit, tmp_path / "speech.wav") == (True, 0.0)
    assert job_from_log(tmp_path / "gone.log", tmp_path / "cached.wav") == (False, 0.0)


def test_fallback_cache_entries_are_evicted_but_real_files_are_kept(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "abc_image.png").write_bytes(b"png")
    folder = tmp_path / "results/c/v"
    (folder / "s1").mkdir(parents=True)
    (folder / "s1/image.png").symlink_to(cache / "abc_image.png")
    (folder / "s2").mkdir()
    (folder / "s2/image.png").write_bytes(b"own file")
    files = Layout().at(tmp_path).video_records("c", "v", ["s1", "s2"])
    assert evict_fallbacks(files, ["s1", "s2"]) == ["s1/image.png"]
    assert not (cache / "abc_image.png").exists()
    assert (folder / "s2/image.png").read_bytes() == b"own file"


def video(channel, name, day, calls, cost, hits):
    return {
        "channel": channel,
        "video": name,
        "day": day,
        "duration": 30.0,
        "wall_seconds": 60.0,
        "stages": {"tts": {"jobs": 4, "cache_hits": hits}, "image": {"jobs": 4, "cache_hits": 1}},
        "images": {"api_calls": calls, "cost": cost, "currency": "USD"},
    }


def test_costs_sum_per_channel_and_day(tmp_path, capsys):
    for data in [
        video("alpha", "ep1", "2026-11-26", 4, 0.16, 0),
        video("alpha", "ep2", "2026-11-27", 2, 0.08, 2),
        video("beta", "b1", "2026-11-27", 1, 0.04, 1),
    ]:
        folder = tmp_path / "results" / data["channel"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{data['video']}.json").write_text(json.dumps(data))
    (tmp_path / "results" / "alpha" / "ep1").mkdir()
    (tmp_path / "results" / "alpha" / "notes.json").write_text('{"other": 1}')  # not video metadata
    assert main(["costs", str(tmp_path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    alpha = summary["channel"]["alpha"]
    assert (alpha["videos"], alpha["api_calls"], alpha["speech"]) == (2, 6, [2, 8])
    assert alpha["cost"]["USD"] == pytest.approx(0.24)
    assert summary["day"]["2026-11-27"]["videos"] == 2
    assert summary["day"]["2026-11-27"]["cost"]["USD"] == pytest.approx(0.12)
    assert main(["costs", str(tmp_path), "--by", "channel"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["channel", "videos"]
    total = ["total", "3", "90.0", "180.0", "3/12", "3/12", "7", "0/0", "0.28", "USD"]
    assert lines[-1].split() == total  # 0/0: no LLM tokens (no written scripts)


def test_costs_without_metadata_is_one_line_error(tmp_path, capsys):
    assert main(["costs", str(tmp_path)]) == 1
    assert "no video metadata found" in capsys.readouterr().err
