"""Time the real workflow on the example channel: cold build, no-op, one-sentence edit.

Prints the realtime factor (seconds of narration per wall second) and ratios; run with
`make bench` (production preset) or `python bench/build.py --preset draft`.

On a shared machine wall times stretch with the load, so each run also reports the CPU
seconds it used (Snakemake and every job), the load average, and `cpu_realtime_factor`:
narration seconds per (CPU seconds / cores), what the build reaches with the cores to
itself and perfect packing (an estimate, labelled as such). The cold build also reports
where the time went per rule (from the jobs' logs) and the peak memory of the whole
process tree (Snakemake plus its jobs, RSS sampled every 50 ms). The speech servers the tts
jobs start are detached from that tree; they are sampled too, their CPU seconds added, and
they are stopped before each run, so that every run starts its own as a build would after a
pause.

Last, each preset's build switches to the other preset: speech and images are kept (they do
not depend on the preset), so this times what the preset itself changes (renders, merge,
report); `draft` vs `production` is reported for both cold builds and these switches.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import psutil  # a Snakemake dependency

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from snakereel.ffmpeg import media_duration  # noqa: E402

SERVER = "snakereel.tts.server"


def speech_servers() -> list[psutil.Process]:
    """The speech servers the build's tts jobs started: detached, so not in its process tree
    and not in its CPU accounting; the bench samples them itself."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if SERVER in (proc.info["cmdline"] or []):
            found.append(proc)
    return found


def stop_speech_servers() -> None:
    """Between runs, as minutes between a user's builds would: each run starts its own."""
    servers = speech_servers()
    for proc in servers:
        proc.terminate()
    psutil.wait_procs(servers, timeout=10)


class PeakMemory:
    """Largest total RSS of a process, its descendants and the speech servers, sampled in a
    thread; also the CPU seconds of the speech servers."""

    def __init__(self, pid: int, interval: float = 0.05):
        self.process, self.interval = psutil.Process(pid), interval
        self.peak_mb, self.top, self.own_cpu = 0.0, "", 0.0
        self.server_cpu: dict[int, float] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self.done.wait(self.interval):
            try:
                times = self.process.cpu_times()
                self.own_cpu = times.user + times.system  # Snakemake itself, not its jobs
                servers = speech_servers()
                tree = [self.process, *self.process.children(recursive=True)]
                tree += [s for s in servers if s not in tree]  # a server starts as a job's child
                for server in servers:
                    with contextlib.suppress(psutil.Error):
                        times = server.cpu_times()
                        self.server_cpu[server.pid] = times.user + times.system
                sizes = []
                for proc in tree:
                    with contextlib.suppress(psutil.Error):
                        sizes.append((proc.memory_info().rss / 2**20, proc.name(), proc.cmdline()))
            except psutil.Error:
                return
            total = sum(size for size, _, _ in sizes)
            if total > self.peak_mb:
                self.peak_mb = total
                self.top = ", ".join(
                    f"{describe(cmd) or name} {size:.0f} MB"
                    for size, name, cmd in sorted(sizes, reverse=True)[:3]
                )

    def stop(self) -> None:
        self.done.set()
        self.thread.join()


def describe(cmdline: list[str]) -> str:
    """A short name for a process of the build: Snakemake, a rule's script, or the tool."""
    if SERVER in cmdline:
        return "speech server"
    for part in cmdline:
        if part.endswith(".py") and ".snakemake" in part:  # .snakemake/scripts/tmpXXX.tts.py
            return Path(part).name.split(".")[-2] + " job"
    if "snakemake" in cmdline:
        return "snakemake"
    return Path(cmdline[0]).name if cmdline else ""


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


JOB_LINE = re.compile(r"done in ([0-9.]+) s \(CPU ([0-9.]+) s")


def per_rule(root: Path) -> dict:
    """Jobs, wall and CPU seconds per rule from the jobs' own last log line (CPU with the
    job's start-up and the tools it ran), and the largest RSS from the benchmark files
    (the cached rules tts and image have none)."""
    rules = defaultdict(lambda: {"jobs": 0, "s": 0.0, "cpu_s": 0.0, "max_rss_mb": 0.0})
    for path in (root / "logs").rglob("*.log"):
        found = JOB_LINE.findall(path.read_text(errors="replace"))
        if found:
            rule = rules[path.stem]
            rule["jobs"] += 1
            rule["s"] += float(found[-1][0])
            rule["cpu_s"] += float(found[-1][1])
    for path in (root / "benchmarks").rglob("*.tsv"):
        with path.open() as handle:
            row = next(csv.DictReader(handle, delimiter="\t"))
        rule = rules[path.stem]
        rule["max_rss_mb"] = max(rule["max_rss_mb"], float(row["max_rss"] or 0))
    return {name: {k: round(v, 2) for k, v in rule.items()} for name, rule in rules.items()}


EXTRA: list[str] = []  # --snakemake-args


def snakemake(root: Path, cores: int, preset: str, memory: dict | None = None) -> tuple:
    """(wall seconds, CPU seconds) of one run; fills `memory` with its peak when given."""
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(REPO / "Snakefile"),
        "-d",
        str(root),
        "--cores",
        str(cores),
        "--config",
        f"preset={preset}",
        "-q",
        *EXTRA,
    ]
    stop_speech_servers()
    cpu = cpu_seconds()
    start = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as run:
        sampler = PeakMemory(run.pid)
        _, stderr = run.communicate()
    wall = time.perf_counter() - start
    sampler.stop()
    server_cpu = sum(sampler.server_cpu.values())
    if memory is not None:
        memory.update(
            peak_mb=round(sampler.peak_mb),
            at_peak=sampler.top,
            snakemake_cpu_s=sampler.own_cpu,
            speech_server_cpu_s=server_cpu,
        )
    if run.returncode:
        raise RuntimeError(stderr.decode()[-2000:])
    return wall, cpu_seconds() - cpu + server_cpu


def measure(cores: int, preset: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "channels", root / "channels")
        shutil.copy(REPO / "config.yaml", root / "config.yaml")
        load = os.getloadavg()[0]
        memory = {}
        cold, cold_cpu = snakemake(root, cores, preset, memory)
        rules = per_rule(root)
        audio = sum(media_duration(p) for p in (root / "results").glob("*/*.mp4"))
        noop, _ = snakemake(root, cores, preset)
        script = root / "channels/momentum_mindset/videos/day-01.yaml"
        script.write_text(script.read_text().replace("one page", "two pages"))
        edit, edit_cpu = snakemake(root, cores, preset)
        other = "draft" if preset != "draft" else "production"
        switch, _ = snakemake(root, cores, other)
        stop_speech_servers()
    return {
        "preset": preset,
        "cores": cores,
        "load_average": round(load, 1),
        "cold_s": round(cold, 2),
        "audio_s": round(audio, 2),
        "realtime_factor": round(audio / cold, 2),
        "cold_cpu_s": round(cold_cpu, 1),
        "cpu_realtime_factor": round(audio / (cold_cpu / cores), 2),
        "noop_s": round(noop, 2),
        "edit_s": round(edit, 2),
        "edit_fraction_of_cold": round(edit / cold, 3),
        "edit_cpu_fraction": round(edit_cpu / cold_cpu, 3),
        "switch_to": other,
        "switch_s": round(switch, 2),
        "snakemake_cpu_s": round(memory["snakemake_cpu_s"], 1),
        "speech_server_cpu_s": round(memory["speech_server_cpu_s"], 1),
        "peak_memory_mb": memory["peak_mb"],
        "at_peak": memory["at_peak"],
        "rules": rules,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--preset", action="append", choices=["draft", "preview", "production"])
    parser.add_argument("--snakemake-args", default="", help='e.g. "--scheduler greedy"')
    args = parser.parse_args()
    EXTRA.extend(args.snakemake_args.split())
    results = [measure(args.cores, preset) for preset in args.preset or ["production", "draft"]]
    for result in results:
        print(json.dumps(result))
    by_preset = {r["preset"]: r for r in results}
    if {"draft", "production"} <= by_preset.keys():
        ratio = by_preset["production"]["cold_s"] / by_preset["draft"]["cold_s"]
        cpu = by_preset["production"]["cold_cpu_s"] / by_preset["draft"]["cold_cpu_s"]
        print(f"draft is {ratio:.2f}x faster than production (cold build; {cpu:.2f}x in CPU)")
        switch = by_preset["draft"]["switch_s"] / by_preset["production"]["switch_s"]
        print(f"draft is {switch:.2f}x faster than production when speech and images are kept")


if __name__ == "__main__":
    main()
