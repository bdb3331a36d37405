"""What the whole-build benches share: running `snakemake` with its CPU and memory sampled
(speech servers included), the jobs' own `done in` log lines, and a baseline tree.

The speech servers the tts jobs start are detached from Snakemake's process tree, so not in
its CPU accounting: they are sampled here, their CPU seconds added, and they are stopped
before each run, so that every run starts its own as a build would after a pause.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil  # a Snakemake dependency

REPO = Path(__file__).resolve().parents[1]
# The warm servers jobs start (src/snakereel/warm.py): detached from Snakemake's tree.
SERVERS = {"snakereel.tts.server": "speech server", "snakereel.jobserver": "job server"}

# The last line of every job's log. Older commits log no floor (the group is empty).
# A job run in a fork of the job server says so: its CPU is outside Snakemake's tree.
JOB_LINE = re.compile(
    r"done in ([0-9.]+) s \(CPU ([0-9.]+) s[^)]*?(?:, floor ([0-9.]+) s)?(, in the job server)?\)"
)


def server_kind(cmdline: list[str]) -> str:
    return next((kind for module, kind in SERVERS.items() if module in cmdline), "")


def warm_servers(root: Path) -> list[psutil.Process]:
    """The speech and job servers the jobs of project `root` started (a server keeps the
    project folder as its working directory; a job server's forks are not servers):
    detached, so not in the build's process tree and not in its CPU accounting; the bench
    samples them itself. Other work's are left alone."""
    found = []
    for proc in psutil.process_iter(["cmdline", "cwd", "ppid"]):
        cmdline = proc.info["cmdline"] or []
        ours = server_kind(cmdline) and proc.info["cwd"] == str(root.resolve())
        if ours and server_kind(parent_cmdline(proc.info["ppid"])) != server_kind(cmdline):
            found.append(proc)
    return found


def parent_cmdline(pid: int | None) -> list[str]:
    """A process's parent's command line; [] when it has gone (a fork that started a
    server and ended)."""
    try:
        return psutil.Process(pid).cmdline() if pid else []
    except psutil.Error:
        return []


def stop_warm_servers(root: Path) -> None:
    """Between runs, as minutes between a user's builds would: each run starts its own."""
    servers = warm_servers(root)
    for proc in servers:
        proc.terminate()
    psutil.wait_procs(servers, timeout=10)


def describe(cmdline: list[str]) -> str:
    """A short name for a process of the build: Snakemake, a rule's script, or the tool."""
    if server_kind(cmdline):
        return server_kind(cmdline)
    if "snakereel.run" in cmdline:  # python -m snakereel.run <kind> ...
        return cmdline[cmdline.index("snakereel.run") + 1] + " job"
    for part in cmdline:
        if part.endswith(".py") and ".snakemake" in part:  # .snakemake/scripts/tmpXXX.tts.py
            return Path(part).name.split(".")[-2] + " job"
    if "snakemake" in cmdline:
        return "snakemake"
    return Path(cmdline[0]).name if cmdline else ""


class PeakMemory:
    """Largest total RSS of a process, its descendants and the speech servers, sampled in a
    thread; also the CPU seconds of the process itself and of the speech servers."""

    def __init__(self, pid: int, root: Path, interval: float = 0.05):
        self.process, self.root, self.interval = psutil.Process(pid), root, interval
        self.peak_mb, self.top, self.own_cpu = 0.0, "", 0.0
        self.server_cpu: dict[int, tuple[str, float]] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self.done.wait(self.interval):
            try:
                times = self.process.cpu_times()
                self.own_cpu = times.user + times.system  # Snakemake itself, not its jobs
                servers = warm_servers(self.root)
                tree = [self.process, *self.process.children(recursive=True)]
                tree += [s for s in servers if s not in tree]  # a server starts as a job's child
                for server in servers:  # the job server's forks are the jobs themselves
                    with contextlib.suppress(psutil.Error):
                        tree += server.children(recursive=True)
                tree = list({proc.pid: proc for proc in tree}.values())  # each process once
                for server in servers:
                    with contextlib.suppress(psutil.Error):
                        times = server.cpu_times()
                        kind = server_kind(server.cmdline())
                        self.server_cpu[server.pid] = (kind, times.user + times.system)
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


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Run:
    """One sampled `snakemake` run. `cpu_s` is the whole build's CPU: Snakemake and every
    job it waited for (RUSAGE_CHILDREN) plus the speech servers."""

    start: float  # time.time(), the clock file mtimes use
    end: float
    wall_s: float
    cpu_s: float
    snakemake_cpu_s: float
    speech_server_cpu_s: float
    job_server_cpu_s: float  # the server itself: its forks' CPU is in warm_jobs_cpu_s
    warm_jobs_cpu_s: float  # jobs run in the job server's forks, from their logs
    peak_mb: float
    at_peak: str


def run_sampled(command: list[str], root: Path) -> Run:
    """Runs `command` (a snakemake in project `root`) with its memory and CPU sampled;
    fails on its error."""
    stop_warm_servers(root)
    cpu = cpu_seconds()
    start, clock = time.time(), time.perf_counter()
    with subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=project_env(root)
    ) as run:
        sampler = PeakMemory(run.pid, root)
        _, stderr = run.communicate()
    wall, end = time.perf_counter() - clock, time.time()
    sampler.stop()
    if run.returncode:
        raise RuntimeError(stderr.decode()[-2000:])
    speech, jobs = (
        sum(cpu for kind, cpu in sampler.server_cpu.values() if kind == name)
        for name in SERVERS.values()
    )
    warm_jobs = sum(line.cpu_s for line in job_lines(root, since=start) if line.warm)
    return Run(
        start=start,
        end=end,
        wall_s=wall,
        cpu_s=cpu_seconds() - cpu + speech + jobs + warm_jobs,
        snakemake_cpu_s=sampler.own_cpu,
        speech_server_cpu_s=speech,
        job_server_cpu_s=jobs,
        warm_jobs_cpu_s=warm_jobs,
        peak_mb=sampler.peak_mb,
        at_peak=sampler.top,
    )


def project_env(root: Path) -> dict[str, str]:
    """The environment of a run in project `root`: its own output cache (what the Snakefile
    defaults to), never one inherited from the shell and shared with other projects."""
    return {**os.environ, "SNAKEMAKE_OUTPUT_CACHE": str(root / ".snakereel-cache")}


@dataclass
class JobLine:
    rule: str
    s: float
    cpu_s: float
    floor_s: float | None
    warm: bool


def job_lines(root: Path, since: float = 0.0) -> list[JobLine]:
    """Every job's last `done in` line under root/logs (the log's file name is the rule's
    short name; a prepared voice's log is named after the voice)."""
    found = []
    for path in (root / "logs").rglob("*.log"):
        lines = JOB_LINE.findall(path.read_text(errors="replace"))
        if lines and path.stat().st_mtime >= since:
            s, cpu, floor, warm = lines[-1]
            rule = "piper_model" if "_models" in path.parts else path.stem
            floor_s = float(floor) if floor else None
            found.append(JobLine(rule, float(s), float(cpu), floor_s, bool(warm)))
    return found


def floor_seconds(lines: list[JobLine]) -> float | None:
    """The build's floor: the sum of its jobs' floors (the tts jobs' include the synthesis the
    speech server did for them); None when no job logged one (an older commit)."""
    floors = [line.floor_s for line in lines if line.floor_s is not None]
    return sum(floors) if floors else None


def compile_sources(tree: Path) -> None:
    """Bytecode for the tree's package, as `make` writes it: every job imports it, and where
    PYTHONDONTWRITEBYTECODE is set a tree without it would compile it in every job."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "src")], check=True)


@contextlib.contextmanager
def baseline_tree(ref: str) -> Iterator[Path]:
    """A temporary detached worktree of this repository at `ref`, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="snakereel-baseline-"))
    tree = folder / "tree"
    git = ["git", "-C", str(REPO), "worktree"]
    subprocess.run([*git, "add", "-q", "--detach", str(tree), ref], check=True)
    compile_sources(tree)
    try:
        yield tree
    finally:
        subprocess.run([*git, "remove", "--force", str(tree)], check=False)
        subprocess.run([*git, "prune"], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def commit_of(tree: Path) -> str:
    """The short commit a tree is at (with `+` when its files differ from it)."""
    git = ["git", "-C", str(tree)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True)
    return head.stdout.strip() + ("+" if dirty.stdout.strip() else "")


def cell(value: float | int | str | None, width: int = 11) -> str:
    if value is None:
        return f"{'-':>{width}}"
    return f"{value:>{width}.2f}" if isinstance(value, float) else f"{value:>{width}}"


def ratio(ours: float | None, base: float | None) -> float | None:
    return ours / base if ours is not None and base else None


def comparison(rows: list[tuple[str, str]], ours: dict, base: dict | None) -> list[str]:
    """Lines of a table: one row per (label, key); columns baseline, ours, ours/baseline
    (only ours without a baseline)."""
    head = f"{'':19}" + (cell("baseline") if base else "") + cell("ours")
    lines = [head + (cell("ours/base") if base else "")]
    for label, key in rows:
        line = f"{label:19}"
        if base:
            line += cell(base[key]) + cell(ours[key]) + cell(ratio(ours[key], base[key]))
        else:
            line += cell(ours[key])
        lines.append(line)
    return lines
