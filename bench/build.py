"""Time the real workflow on the example channel: cold build, no-op, one-sentence edit.

Prints the realtime factor (seconds of narration per wall second) and ratios; run with
`make bench` (production preset) or `python bench/build.py --preset draft`.

On a shared machine wall times stretch with the load, so each run also reports the CPU
seconds it used (Snakemake and every job), the load average, and `cpu_realtime_factor`:
narration seconds per (CPU seconds / cores), what the build reaches with the cores to
itself and perfect packing (an estimate, labelled as such). The cold build also reports
where the time went per rule (from the jobs' logs) and the peak memory of the whole
process tree (Snakemake plus its jobs, RSS sampled every 50 ms). The warm servers jobs
start (the speech server, the job server and its forks) are detached from that tree; they
are sampled too, their CPU seconds added (a job run in a fork of the job server adds the CPU
its log line gives), and they are stopped before each run, so that every run starts its own
as a build would after a pause.

Job start-up: each job logs its CPU (start-up and tools included) and its floor, the CPU of
the work itself (ffmpeg, drawing, synthesis, the speech server's for it). Per rule and for
the whole cold build, overhead = CPU - floor; the build's CPU also holds Snakemake's own and
the speech server's start-up, so its overhead does too.

`--baseline REF` measures a temporary worktree of commit REF in the same run, each tree in
its own project and output cache, the order alternating (baseline first for the first
preset). Commits older than the floor log none: the baseline's floor is taken as this
tree's (the same work, byte-identical outputs), and the output says so. `--rounds N`
repeats the no-op and the edit N times, interleaved between the trees and with a new
sentence each round (so speech is synthesised again), and reports medians.

Last, each preset's build switches to the other preset: speech and images are kept (they do
not depend on the preset), so this times what the preset itself changes (renders, merge,
report); `draft` vs `production` is reported for both cold builds and these switches.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from common import (
    JOB_LINE,  # noqa: F401  (re-exported: the jobs' `done in` line, floor optional)
    REPO,
    Run,
    baseline_tree,
    cell,
    commit_of,
    comparison,
    compile_sources,
    floor_seconds,
    job_lines,
    run_sampled,
    stop_warm_servers,
)
from compare import edit as edit_sentence

sys.path.insert(0, str(REPO / "src"))

from snakereel.ffmpeg import media_duration  # noqa: E402

CURRENT, BASELINE = "current", "baseline"


def per_rule(root: Path) -> dict:
    """Jobs, wall, CPU and floor seconds per rule from the jobs' own last log line (CPU with
    the job's start-up and the tools it ran), overhead = CPU - floor, and the largest RSS
    from the benchmark files (the cached rules tts and image have none). The tts jobs' floor
    holds the speech server's synthesis for them and their CPU does not: see rule_table."""
    rules = defaultdict(
        lambda: {"jobs": 0, "s": 0.0, "cpu_s": 0.0, "floor_s": 0.0, "floored": 0, "max_rss_mb": 0.0}
    )
    for line in job_lines(root):
        rule = rules[line.rule]
        rule["jobs"] += 1
        rule["s"] += line.s
        rule["cpu_s"] += line.cpu_s
        if line.floor_s is not None:
            rule["floor_s"] += line.floor_s
            rule["floored"] += 1
    for path in (root / "benchmarks").rglob("*.tsv"):
        with path.open() as handle:
            row = next(csv.DictReader(handle, delimiter="\t"))
        rule = rules["piper_model" if "_models" in path.parts else path.stem]
        rule["max_rss_mb"] = max(rule["max_rss_mb"], float(row["max_rss"] or 0))
    return {name: rule_totals(rule) for name, rule in sorted(rules.items())}


def rule_totals(rule: dict) -> dict:
    """Rounded; floor and overhead only when every job of the rule logged a floor."""
    floored = rule.pop("floored")
    totals = {key: round(value, 2) for key, value in rule.items()}
    if rule["jobs"] and floored == rule["jobs"]:
        totals["overhead_s"] = round(rule["cpu_s"] - rule["floor_s"], 2)
    else:
        totals["floor_s"] = totals["overhead_s"] = None
    return totals


SERVED = "tts + speech server"


def rule_table(rules: dict, server_cpu: float, job_server_cpu: float) -> list[dict]:
    """The per-rule numbers as flat rows, the most CPU first. The tts jobs' floor holds the
    synthesis the speech server did for them, so their row holds the server's CPU too. The
    job server's own CPU (start-up, imports, forking; its forks are the jobs) is a row."""
    rows = []
    if job_server_cpu:
        rows.append(
            {"rule": "job server", "jobs": 1, "cpu_s": round(job_server_cpu, 2), "floor_s": 0.0}
        )
        rows[-1]["overhead_s"] = rows[-1]["cpu_s"]
    for name, rule in rules.items():
        if rule["jobs"]:
            keys = ("jobs", "cpu_s", "floor_s", "overhead_s")
            rows.append({"rule": name, **{key: rule[key] for key in keys}})
    for row in rows:
        if row["rule"] == "tts":
            row["rule"], row["cpu_s"] = SERVED, round(row["cpu_s"] + server_cpu, 2)
            if row["floor_s"] is not None:
                row["overhead_s"] = round(row["cpu_s"] - row["floor_s"], 2)
    for row in rows:
        row["cpu_per_job_s"] = round(row["cpu_s"] / row["jobs"], 3)
    return sorted(rows, key=lambda row: -row["cpu_s"])


EXTRA: list[str] = []  # --snakemake-args


@dataclass
class Build:
    """One tree's project and its runs."""

    name: str
    tree: Path
    root: Path
    cold: Run | None = None
    load: float = 0.0
    rules: dict = field(default_factory=dict)
    floor: float | None = None
    audio: float = 0.0
    noops: list[float] = field(default_factory=list)
    edits: list[Run] = field(default_factory=list)
    switch: float = 0.0


def new_build(name: str, tree: Path, folder: Path) -> Build:
    """A fresh project with the tree's own example channel and settings."""
    root = folder / name
    shutil.copytree(tree / "channels", root / "channels")
    shutil.copy(tree / "config.yaml", root / "config.yaml")
    return Build(name, tree, root)


def snakemake(build: Build, cores: int, preset: str) -> Run:
    """One sampled run of the tree's workflow in its project, with this Python."""
    command = [sys.executable, "-m", "snakemake", "-s", str(build.tree / "Snakefile")]
    command += ["-d", str(build.root), "--cores", str(cores), "--config", f"preset={preset}"]
    command += ["-q", *EXTRA]
    return run_sampled(command, build.root)


def cold_build(build: Build, cores: int, preset: str) -> None:
    build.load = os.getloadavg()[0]
    build.cold = snakemake(build, cores, preset)
    build.rules = per_rule(build.root)
    build.floor = floor_seconds(job_lines(build.root))
    build.audio = sum(media_duration(p) for p in (build.root / "results").glob("*/*.mp4"))


def timed_rounds(builds: list[Build], cores: int, preset: str, rounds: int) -> None:
    """No-op then a one-sentence edit, tree after tree, the order swapped every round."""
    for round_ in range(rounds):
        for build in builds if round_ % 2 == 0 else builds[::-1]:
            build.noops.append(snakemake(build, cores, preset).wall_s)
            edit_sentence(build.root, round_)
            build.edits.append(snakemake(build, cores, preset))


def other_preset(preset: str) -> str:
    return "draft" if preset != "draft" else "production"


def measure_builds(trees: list[tuple[str, Path]], cores: int, preset: str, rounds: int) -> dict:
    """Every tree through cold, no-op/edit rounds and the switch, in the order given."""
    with tempfile.TemporaryDirectory() as tmp:
        builds = [new_build(name, tree, Path(tmp)) for name, tree in trees]
        for build in builds:
            cold_build(build, cores, preset)
        timed_rounds(builds, cores, preset, rounds)
        for build in builds:
            build.switch = snakemake(build, cores, other_preset(preset)).wall_s
            stop_warm_servers(build.root)
    by_name = {build.name: build for build in builds}
    return {build.name: summary(build, preset, cores, by_name) for build in builds}


def borrowed_floor(build: Build, by_name: dict[str, Build]) -> tuple[float | None, str | None]:
    """The build's floor and where it comes from: its own logs, else the current tree's."""
    if build.floor is not None:
        return build.floor, "own logs"
    current = by_name.get(CURRENT)
    if current is not None and current.floor is not None:
        return current.floor, "current tree"
    return None, None


def summary(build: Build, preset: str, cores: int, by_name: dict[str, Build]) -> dict:
    cold, audio = build.cold, build.audio
    floor, floor_from = borrowed_floor(build, by_name)
    edit = statistics.median(run.wall_s for run in build.edits)
    edit_cpu = statistics.median(run.cpu_s for run in build.edits)
    return {
        "preset": preset,
        "tree": build.name,
        "commit": commit_of(build.tree),
        "cores": cores,
        "load_average": round(build.load, 1),
        "cold_s": round(cold.wall_s, 2),
        "audio_s": round(audio, 2),
        "realtime_factor": round(audio / cold.wall_s, 2),
        "cold_cpu_s": round(cold.cpu_s, 1),
        "cold_floor_s": None if floor is None else round(floor, 1),
        "cold_overhead_s": None if floor is None else round(cold.cpu_s - floor, 1),
        "floor_from": floor_from,
        "cpu_realtime_factor": round(audio / (cold.cpu_s / cores), 2),
        "rounds": len(build.noops),
        "noop_s": round(statistics.median(build.noops), 2),
        "edit_s": round(edit, 2),
        "noop_runs_s": [round(s, 2) for s in build.noops],
        "edit_runs_s": [round(run.wall_s, 2) for run in build.edits],
        "edit_fraction_of_cold": round(edit / cold.wall_s, 3),
        "edit_cpu_fraction": round(edit_cpu / cold.cpu_s, 3),
        "switch_to": other_preset(preset),
        "switch_s": round(build.switch, 2),
        "snakemake_cpu_s": round(cold.snakemake_cpu_s, 1),
        "speech_server_cpu_s": round(cold.speech_server_cpu_s, 1),
        "job_server_cpu_s": round(cold.job_server_cpu_s, 1),
        "peak_memory_mb": round(cold.peak_mb),
        "at_peak": cold.at_peak,
        "rules": build.rules,
        "per_rule": rule_table(build.rules, cold.speech_server_cpu_s, cold.job_server_cpu_s),
    }


def measure(cores: int, preset: str, rounds: int = 1) -> dict:
    """This checkout alone."""
    return measure_builds([(CURRENT, REPO)], cores, preset, rounds)[CURRENT]


def measure_pair(baseline: Path, cores: int, preset: str, rounds: int, first: str) -> dict:
    """This checkout and the baseline tree in the same run, `first` going first."""
    trees = [(CURRENT, REPO), (BASELINE, baseline)]
    if first == BASELINE:
        trees.reverse()
    return measure_builds(trees, cores, preset, rounds)


ROWS = [
    ("wall s", "cold_s"),
    ("CPU s", "cold_cpu_s"),
    ("floor s", "cold_floor_s"),
    ("overhead s", "cold_overhead_s"),
    ("snakemake CPU s", "snakemake_cpu_s"),
    ("speech server CPU s", "speech_server_cpu_s"),
    ("job server CPU s", "job_server_cpu_s"),
    ("no-op s", "noop_s"),
    ("edit s", "edit_s"),
    ("peak RSS MB", "peak_memory_mb"),
]


def print_build_table(results: dict) -> None:
    """Cold build, no-op and edit: baseline / ours / ours over baseline."""
    ours, base = results[CURRENT], results.get(BASELINE)
    print(f"\n{ours['preset']}, cold build; no-op and edit: median of {ours['rounds']} rounds")
    print("\n".join(comparison(ROWS, ours, base)))
    if base and base["floor_from"] == "current tree":
        print("baseline floor: the current tree's (same work; the baseline's jobs log none)")


def print_rule_table(results: dict) -> None:
    """Per rule for ours, the baseline's CPU beside it; a total row (the jobs and the speech
    server: the build's CPU less Snakemake's own and what no job logged)."""
    ours, base = results[CURRENT], results.get(BASELINE)
    labels = ["jobs", "CPU s", "floor s", "overhead s", "CPU/job", "base CPU s"]
    print(f"{'rule':19}" + "".join(cell(label) for label in labels[: 6 if base else 5]))
    for row in [*ours["per_rule"], rule_total(ours["per_rule"])]:
        line = f"{row['rule']:19}" + cell(row["jobs"])
        keys = ("cpu_s", "floor_s", "overhead_s", "cpu_per_job_s")
        line += "".join(cell(row[key]) for key in keys)
        if base:
            line += cell(base_cpu(base, row["rule"]))
        print(line)


def rule_total(rows: list[dict]) -> dict:
    jobs, cpu = sum(r["jobs"] for r in rows), sum(r["cpu_s"] for r in rows)
    floors = [r["floor_s"] for r in rows]
    floor = sum(floors) if None not in floors else None
    return {
        "rule": "jobs + server",
        "jobs": jobs,
        "cpu_s": round(cpu, 2),
        "floor_s": None if floor is None else round(floor, 2),
        "overhead_s": None if floor is None else round(cpu - floor, 2),
        "cpu_per_job_s": round(cpu / jobs, 3) if jobs else None,
    }


def base_cpu(base: dict, rule: str) -> float | None:
    cpu = {row["rule"]: row["cpu_s"] for row in base["per_rule"]}
    return round(sum(cpu.values()), 2) if rule == "jobs + server" else cpu.get(rule)


def print_preset_comparison(by_preset: dict) -> None:
    if {"draft", "production"} <= by_preset.keys():
        ratio = by_preset["production"]["cold_s"] / by_preset["draft"]["cold_s"]
        cpu = by_preset["production"]["cold_cpu_s"] / by_preset["draft"]["cold_cpu_s"]
        print(f"draft is {ratio:.2f}x faster than production (cold build; {cpu:.2f}x in CPU)")
        switch = by_preset["draft"]["switch_s"] / by_preset["production"]["switch_s"]
        print(f"draft is {switch:.2f}x faster than production when speech and images are kept")


def run_presets(args: argparse.Namespace) -> list[dict]:
    """{tree: result} per preset; with a baseline, it goes first for every other preset."""
    presets = args.preset or ["production", "draft"]
    if not args.baseline:
        return [{CURRENT: measure(args.cores, preset, args.rounds)} for preset in presets]
    with baseline_tree(args.baseline) as tree:
        return [
            measure_pair(tree, args.cores, preset, args.rounds, (BASELINE, CURRENT)[i % 2])
            for i, preset in enumerate(presets)
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--preset", action="append", choices=["draft", "preview", "production"])
    parser.add_argument("--snakemake-args", default="", help='e.g. "--scheduler greedy"')
    parser.add_argument("--baseline", metavar="REF", help="a commit to measure alongside")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved no-op/edit rounds")
    args = parser.parse_args()
    compile_sources(REPO)
    EXTRA.extend(args.snakemake_args.split())
    results = run_presets(args)
    for pair in results:
        for result in pair.values():
            print(json.dumps(result))
    print_preset_comparison({pair[CURRENT]["preset"]: pair[CURRENT] for pair in results})
    for pair in results:
        print_build_table(pair)
        print_rule_table(pair)


if __name__ == "__main__":
    main()
