"""Snakemake's own overhead at scale: a generated batch of videos x segments, built for real.

Writes a channel (the example channel's settings) with `--videos` scripts of `--segments`
sentences each, builds it with `--cores` (draft preset by default), and reports:

- Snakemake overhead: wall time during which no job was running, as a fraction of the
  build's wall time. Each job's interval comes from its benchmark file (`s` = the job's
  wall seconds, the file's mtime = when it finished); the union of those intervals is
  the time spent inside jobs.
- core use: job-seconds / (cores x wall), how full Snakemake kept its job slots;
- the no-op rebuild time over the built batch;
- a dry run of the full `--dag-videos` x `--segments` DAG (nothing built): the time
  Snakemake needs to plan that many jobs, an upper bound for its no-op check.

    python bench/scale.py --videos 100 --segments 8          # the full batch (slow)
    python bench/scale.py --videos 6 --segments 8            # a smaller batch, extrapolated
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "channels" / "momentum_mindset"

SENTENCES = [
    "Small habits compound into big results when you repeat them every day.",
    "Start with something so easy that you cannot say no to it.",
    "Put the cue where you will see it first thing in the morning.",
    "Track the streak, but forgive yourself the day you break it.",
    "Make the next step obvious and the old habit harder to reach.",
    "Reward yourself right after the action, not at the end of the month.",
    "Tell a friend your plan and let them check on you this week.",
    "Review what worked on Sunday and shrink what did not.",
    "Your environment shapes you more than your willpower does.",
    "Focus on showing up, and the results will follow in time.",
]


def write_batch(root: Path, videos: int, segments: int) -> None:
    """A channel with `videos` scripts of `segments` distinct sentences each."""
    channel = root / "channels" / "batch"
    (channel / "videos").mkdir(parents=True)
    shutil.copy(EXAMPLE / "channel.yaml", channel / "channel.yaml")
    for v in range(videos):
        lines = [f'title: "Batch video {v + 1}"', "segments:"]
        for s in range(segments):
            sentence = SENTENCES[(v + s) % len(SENTENCES)]
            lines += [f"  - id: s{s + 1}", f'    text: "Part {s + 1} of video {v + 1}. {sentence}"']
        (channel / "videos" / f"v{v + 1:03d}.yaml").write_text("\n".join(lines) + "\n")
    config = (REPO / "config.yaml").read_text()
    (root / "config.yaml").write_text(config.replace("channels: []", "channels: [batch]"))


def snakemake(root: Path, cores: int, preset: str, *extra: str) -> tuple[float, float, float]:
    """(start, end, wall) of one snakemake run, on the clock that file mtimes use."""
    command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(root)]
    command += ["--cores", str(cores), "--config", f"preset={preset}", "-q", *extra]
    start = time.time()
    subprocess.run(command, check=True, capture_output=True)
    end = time.time()
    return start, end, end - start


CACHED_RULES = ("tts", "image")  # no benchmark file (Snakemake forbids it on cached rules)
DONE = re.compile(r"done in ([0-9.]+) s")


def job_intervals(root: Path) -> list[tuple[float, float, str]]:
    """(start, end, rule) of every job: from its benchmark file, or for the cached rules
    from the `done in` line of its log (which misses the job's ~0.1 s of start-up)."""
    intervals = []
    for path in (root / "benchmarks").rglob("*.tsv"):
        with path.open() as handle:
            row = next(csv.DictReader(handle, delimiter="\t"))
        end = path.stat().st_mtime
        intervals.append((end - float(row["s"]), end, path.stem))
    for rule in CACHED_RULES:
        for path in (root / "logs").rglob(f"{rule}.log"):
            done = DONE.findall(path.read_text())
            if done:
                end = path.stat().st_mtime
                intervals.append((end - float(done[-1]), end, rule))
    return intervals


def covered(intervals: list[tuple[float, float, str]], start: float, end: float) -> float:
    """Seconds of [start, end] during which at least one job was running."""
    total, reach = 0.0, start
    for begin, finish, _ in sorted(intervals):
        begin, finish = max(begin, reach), min(finish, end)
        if finish > begin:
            total += finish - begin
            reach = finish
    return total


def measure(videos: int, segments: int, cores: int, preset: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_batch(root, videos, segments)
        start, end, wall = snakemake(root, cores, preset)
        intervals = job_intervals(root)
        busy = covered(intervals, start, end)
        job_seconds = sum(e - s for s, e, _ in intervals)  # every rule has threads: 1
        noop = snakemake(root, cores, preset)[2]
        audio = sum(1 for _ in (root / "results" / "batch").glob("*.mp4"))
    return {
        "videos": videos,
        "segments": segments,
        "jobs": len(intervals),
        "cold_s": round(wall, 1),
        "inside_jobs_s": round(busy, 1),
        "overhead_fraction": round((wall - busy) / wall, 4),
        "core_use": round(job_seconds / (cores * wall), 3),
        "noop_s": round(noop, 2),
        "videos_built": audio,
    }


def dry_run(videos: int, segments: int, cores: int, preset: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_batch(root, videos, segments)
        return snakemake(root, cores, preset, "-n")[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=100)
    parser.add_argument("--segments", type=int, default=8)
    parser.add_argument("--dag-videos", type=int, default=100)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--preset", default="draft")
    args = parser.parse_args()
    result = measure(args.videos, args.segments, args.cores, args.preset)
    # per segment tts, image, render; per video mix, contact sheet, metadata + page;
    # music, the prepared voice and `all` once
    result["dry_run_jobs"] = args.dag_videos * (args.segments * 3 + 3) + 3
    result["dry_run_s"] = round(dry_run(args.dag_videos, args.segments, args.cores, args.preset), 2)
    print(json.dumps(result))
    print(
        f"Snakemake overhead {100 * result['overhead_fraction']:.1f} % of the cold build "
        f"(target < 5 %), cores {100 * result['core_use']:.0f} % used; no-op over "
        f"{result['jobs']} jobs {result['noop_s']} s; dry run of "
        f"{args.dag_videos}x{args.segments} ({result['dry_run_jobs']} jobs) {result['dry_run_s']} s"
    )
    if args.videos < args.dag_videos:
        scale = result["dry_run_jobs"] / result["jobs"]
        print(
            f"extrapolated, not measured: cold build of {args.dag_videos}x{args.segments} "
            f"~{result['cold_s'] * scale / 60:.0f} min at the same overhead fraction"
        )


if __name__ == "__main__":
    main()
