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
  Snakemake needs to plan that many jobs, an upper bound for its no-op check;
- CPU of the cold build (Snakemake, every job and the speech server), its floor (the sum
  of the jobs' logged floors: the CPU of the work itself) and overhead = CPU - floor, in
  total and per job.

`--baseline REF` builds the same batch with a temporary worktree of commit REF in the same
run (the baseline first unless --ours-first, the dry runs in the other order) and prints
both side by side; a commit older than the floor logs none, so its floor is taken as this
tree's.

    python bench/scale.py --videos 100 --segments 8          # the full batch (slow)
    python bench/scale.py --videos 6 --segments 8            # a smaller batch, extrapolated
    python bench/scale.py --videos 6 --segments 8 --baseline HEAD
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

from common import (
    REPO,
    Run,
    baseline_tree,
    commit_of,
    comparison,
    compile_sources,
    floor_seconds,
    job_lines,
    run_sampled,
    stop_warm_servers,
)

EXAMPLE = Path("channels") / "momentum_mindset"
CURRENT, BASELINE = "current", "baseline"

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


def write_batch(tree: Path, root: Path, videos: int, segments: int) -> None:
    """A channel with `videos` scripts of `segments` distinct sentences each (the settings
    of the tree's example channel and config.yaml)."""
    channel = root / "channels" / "batch"
    (channel / "videos").mkdir(parents=True)
    shutil.copy(tree / EXAMPLE / "channel.yaml", channel / "channel.yaml")
    for v in range(videos):
        lines = [f'title: "Batch video {v + 1}"', "segments:"]
        for s in range(segments):
            sentence = SENTENCES[(v + s) % len(SENTENCES)]
            lines += [f"  - id: s{s + 1}", f'    text: "Part {s + 1} of video {v + 1}. {sentence}"']
        (channel / "videos" / f"v{v + 1:03d}.yaml").write_text("\n".join(lines) + "\n")
    config = (tree / "config.yaml").read_text()
    (root / "config.yaml").write_text(config.replace("channels: []", "channels: [batch]"))


def snakemake(tree: Path, root: Path, cores: int, preset: str, *extra: str) -> Run:
    """One run of the tree's workflow, CPU sampled; `start` and `end` on the clock that file
    mtimes use."""
    command = [sys.executable, "-m", "snakemake", "-s", str(tree / "Snakefile"), "-d", str(root)]
    command += ["--cores", str(cores), "--config", f"preset={preset}", "-q", *extra]
    return run_sampled(command, root)


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


def measure(tree: Path, videos: int, segments: int, cores: int, preset: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_batch(tree, root, videos, segments)
        cold = snakemake(tree, root, cores, preset)
        intervals = job_intervals(root)
        busy = covered(intervals, cold.start, cold.end)
        job_seconds = sum(e - s for s, e, _ in intervals)  # every rule has threads: 1
        floor = floor_seconds(job_lines(root))
        noop = snakemake(tree, root, cores, preset).wall_s
        audio = sum(1 for _ in (root / "results" / "batch").glob("*.mp4"))
        stop_warm_servers(root)
    wall = cold.wall_s
    result = {
        "videos": videos,
        "segments": segments,
        "jobs": len(intervals),
        "cold_s": round(wall, 1),
        "inside_jobs_s": round(busy, 1),
        "overhead_fraction": round((wall - busy) / wall, 4),
        "core_use": round(job_seconds / (cores * wall), 3),
        "noop_s": round(noop, 2),
        "videos_built": audio,
        "cpu_s": round(cold.cpu_s, 1),
        "snakemake_cpu_s": round(cold.snakemake_cpu_s, 1),
        "speech_server_cpu_s": round(cold.speech_server_cpu_s, 1),
        "job_server_cpu_s": round(cold.job_server_cpu_s, 1),
    }
    return with_floor(result, floor, "own logs")


def with_floor(result: dict, floor: float | None, source: str) -> dict:
    """The build's floor (the sum of its jobs' floors), overhead = CPU - floor, per job."""
    known = floor is not None
    overhead = result["cpu_s"] - floor if known else None
    result["floor_s"] = round(floor, 1) if known else None
    result["floor_from"] = source if known else None
    result["overhead_s"] = round(overhead, 1) if known else None
    result["overhead_per_job_s"] = round(overhead / result["jobs"], 3) if known else None
    return result


def dry_run(tree: Path, videos: int, segments: int, cores: int, preset: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_batch(tree, root, videos, segments)
        return snakemake(tree, root, cores, preset, "-n").wall_s


def measure_trees(args: argparse.Namespace, trees: list[tuple[str, Path]]) -> dict:
    """{tree: result}: the batches in the order given, the dry runs in the other order. A
    tree whose jobs log no floor gets the current tree's (the same work)."""
    results = {
        name: measure(tree, args.videos, args.segments, args.cores, args.preset)
        for name, tree in trees
    }
    for name, tree in reversed(trees):
        # per segment tts, image, render; per video mix, contact sheet, metadata + page;
        # music, the prepared voice and `all` once
        results[name]["dry_run_jobs"] = args.dag_videos * (args.segments * 3 + 3) + 3
        seconds = dry_run(tree, args.dag_videos, args.segments, args.cores, args.preset)
        results[name]["dry_run_s"] = round(seconds, 2)
        results[name].update(tree=name, commit=commit_of(tree))
    current = results[CURRENT]
    for result in results.values():
        if result["floor_s"] is None and current["floor_s"] is not None:
            with_floor(result, current["floor_s"], "current tree")
    return results


def summary_line(args: argparse.Namespace, result: dict) -> str:
    line = (
        f"Snakemake overhead {100 * result['overhead_fraction']:.1f} % of the cold build "
        f"(target < 5 %), cores {100 * result['core_use']:.0f} % used; no-op over "
        f"{result['jobs']} jobs {result['noop_s']} s; dry run of "
        f"{args.dag_videos}x{args.segments} ({result['dry_run_jobs']} jobs) {result['dry_run_s']} s"
    )
    if result["floor_s"] is not None:
        line += (
            f"; CPU {result['cpu_s']} s, floor {result['floor_s']} s, overhead "
            f"{result['overhead_s']} s ({result['overhead_per_job_s']} s a job)"
        )
    return line


ROWS = [
    ("jobs", "jobs"),
    ("wall s", "cold_s"),
    ("CPU s", "cpu_s"),
    ("floor s", "floor_s"),
    ("overhead s", "overhead_s"),
    ("overhead/job s", "overhead_per_job_s"),
    ("snakemake CPU s", "snakemake_cpu_s"),
    ("speech server CPU s", "speech_server_cpu_s"),
    ("job server CPU s", "job_server_cpu_s"),
    ("idle wall fraction", "overhead_fraction"),
    ("no-op s", "noop_s"),
    ("dry run s", "dry_run_s"),
]


def report(args: argparse.Namespace, results: dict) -> None:
    for result in results.values():
        print(json.dumps(result))
    for name, result in results.items():
        print((f"{name}: " if len(results) > 1 else "") + summary_line(args, result))
    result = results[CURRENT]
    if args.videos < args.dag_videos:
        scale = result["dry_run_jobs"] / result["jobs"]
        print(
            f"extrapolated, not measured: cold build of {args.dag_videos}x{args.segments} "
            f"~{result['cold_s'] * scale / 60:.0f} min at the same overhead fraction"
        )
    base = results.get(BASELINE)
    print(f"\n{args.videos}x{args.segments} batch, {args.preset}, cold build")
    print("\n".join(comparison(ROWS, result, base)))
    if base and base["floor_from"] == "current tree":
        print("baseline floor: the current tree's (same work; the baseline's jobs log none)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=100)
    parser.add_argument("--segments", type=int, default=8)
    parser.add_argument("--dag-videos", type=int, default=100)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--preset", default="draft")
    parser.add_argument("--baseline", metavar="REF", help="a commit to measure alongside")
    parser.add_argument(
        "--ours-first", action="store_true", help="build this tree's batch before the baseline's"
    )
    args = parser.parse_args()
    compile_sources(REPO)
    if not args.baseline:
        report(args, measure_trees(args, [(CURRENT, REPO)]))
        return
    with baseline_tree(args.baseline) as tree:
        trees = [(BASELINE, tree), (CURRENT, REPO)]
        results = measure_trees(args, trees[::-1] if args.ours_first else trees)
    report(args, results)


if __name__ == "__main__":
    main()
