"""Check and measure snakereel runs through SLURM (needs a cluster: cluster/localhost.sh).

`check`: every job Snakemake submitted (its log names each SLURM job id) is a COMPLETED
record in the jobcomp/filetxt log, ran in the workflow's directory, and left its log under
.snakemake/slurm_logs/.

`measure`: builds the same target locally, then through SLURM with one job per segment
chain (the profile's grouping), one job per video, and no grouping, each in a fresh copy
of the example channel; prints wall times, the SLURM/local ratios and the number of SLURM
jobs each way.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SUBMITTED = re.compile(r"has been submitted with SLURM jobid (\d+) \(log: ([^)]+)\)")
# Settings for a small cluster without accounting; see docs/cluster.md.
LOCAL_CLUSTER = [
    "--slurm-status-command",
    "squeue",
    "--slurm-init-seconds-before-status-checks",
    "3",
    "--slurm-keep-successful-logs",
]

SEGMENT_RULES = ("tts", "image", "render")
# Each replaces the profile's `groups:`. The profile's choice: one SLURM job per segment
# chain (speech, image, captions, clip); the mix alone.
GROUPINGS = {
    "per_segment": ["--groups", *(f"{r}=segment" for r in SEGMENT_RULES)],
    "per_video": ["--groups", *(f"{r}=video" for r in (*SEGMENT_RULES, "mix"))],
    # invalid_video never runs for a valid target: in effect, no groups.
    "ungrouped": ["--groups", "invalid_video=none"],
}


def submitted_jobs(log_text: str) -> dict[str, Path]:
    """SLURM job id -> the plugin's log file, from a Snakemake log."""
    return {m.group(1): Path(m.group(2)) for m in SUBMITTED.finditer(log_text)}


def jobcomp_records(path: Path) -> dict[str, dict[str, str]]:
    """jobcomp/filetxt lines (`Key=Value Key=Value ...`) keyed by JobId."""
    records = {}
    for line in path.read_text().splitlines():
        fields = dict(item.split("=", 1) for item in line.split() if "=" in item)
        if "JobId" in fields:
            records[fields["JobId"]] = fields
    return records


def check(workdir: Path, jobcomp: Path, snakemake_log: Path) -> list[str]:
    """Problems found (empty: every submitted job really ran through SLURM and completed)."""
    jobs = submitted_jobs(snakemake_log.read_text())
    if not jobs:
        return [f"{snakemake_log}: no job was submitted to SLURM"]
    records = jobcomp_records(jobcomp) if jobcomp.exists() else {}
    problems = []
    for jobid, log in sorted(jobs.items(), key=lambda item: int(item[0])):
        record = records.get(jobid)
        if record is None:
            problems.append(f"SLURM job {jobid}: no jobcomp record")
            continue
        if record.get("JobState") != "COMPLETED":
            problems.append(f"SLURM job {jobid}: state {record.get('JobState')}")
        if Path(record.get("WorkDir", "")).resolve() != workdir.resolve():
            problems.append(f"SLURM job {jobid}: ran in {record.get('WorkDir')}")
        log = log if log.is_absolute() else workdir / log
        if not log.is_file():
            problems.append(f"SLURM job {jobid}: no plugin log {log}")
    return problems


def snakemake(
    workdir: Path,
    target: str,
    *extra: str,
    config: str = "",
    check: bool = True,
    timeout: float | None = None,
) -> tuple[float, str]:
    """Run Snakemake in workdir; on timeout interrupt it (it then cancels its SLURM jobs)."""
    command = [
        str(Path(sys.executable).parent / "snakemake"),
        "-s",
        str(REPO / "Snakefile"),
        "--config",
        "preset=draft",
        *config.split(),
        *extra,
        "--",
        target,
    ]
    start = time.perf_counter()
    with subprocess.Popen(
        command, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as run:
        try:
            log, _ = run.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            run.send_signal(signal.SIGINT)
            log, _ = run.communicate()
            log += f"\n[bench: interrupted after {timeout} s]\n"
    elapsed = time.perf_counter() - start
    (workdir / "snakemake.log").write_text(log)
    if check and run.returncode:
        raise SystemExit(f"snakemake failed in {workdir}:\n{log[-3000:]}")
    return elapsed, log


def fresh_workdir(root: Path, name: str) -> Path:
    workdir = root / name
    workdir.mkdir()
    shutil.copytree(REPO / "channels", workdir / "channels")
    shutil.copy(REPO / "config.yaml", workdir / "config.yaml")
    return workdir


def build(root: Path, name: str, target: str, *extra: str) -> dict:
    elapsed, log = snakemake(fresh_workdir(root, name), target, *extra)
    total = re.search(r"^total\s+(\d+)$", log, re.M)
    return {
        "build": name,
        "wall_s": round(elapsed, 1),
        "snakemake_jobs": int(total.group(1)) if total else None,
        "slurm_jobs": len(submitted_jobs(log)),
    }


SLURM = ["--executor", "slurm", "--profile", str(REPO / "profiles/slurm"), *LOCAL_CLUSTER]


def measure(target: str, root: Path | None) -> list[dict]:
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        base = Path(tmp)
        results = [build(base, "local", target, "--cores", "2")]
        for name, groups in GROUPINGS.items():
            results.append(build(base, f"slurm_{name}", target, *SLURM, *groups))
    for result in results:
        result["ratio_to_local"] = round(result["wall_s"] / results[0]["wall_s"], 2)
    return results


def sbatch_requests(log: str) -> list[dict]:
    """What each sbatch call asked for, from a --verbose Snakemake log."""
    requests = []
    for call in re.findall(r"sbatch call: (.*)", log):
        words = call.split()
        comment = words[words.index("--comment") + 1] if "--comment" in words else ""
        asked = dict(re.findall(r"--(gpus|cpus-per-task|mem)[= ](\S+)", call))
        requests.append({"job": comment.strip("'"), **asked})
    return requests


def gpu_requests(root: Path | None) -> list[dict]:
    """What an NVENC render's SLURM job asks for, per video group vs per segment group.

    Planned as on a 16-core submit host. There is no NVENC here and one GPU, so the jobs
    fail or wait for ever: only the requests are read from the log.
    """
    nvenc = ["--verbose", "--cores", "16", "--retries", "0"]
    video = "results/momentum_mindset/day-01.mp4"
    clip = "results/momentum_mindset/day-01/hook/clip.mp4"
    results = []
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        for name, target in (("per_video", video), ("per_segment", clip)):
            workdir = fresh_workdir(Path(tmp), name)
            _, log = snakemake(
                workdir,
                target,
                *SLURM,
                *nvenc,
                *GROUPINGS[name],
                config="encoder=h264_nvenc",
                check=False,
                timeout=120,
            )
            for request in sbatch_requests(log):
                if "render" in request["job"]:
                    timed_out = "[bench: interrupted" in log
                    results.append({"grouping": name, **request, "timed_out": timed_out})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check_parser = sub.add_parser("check", help="did the jobs really run through SLURM?")
    check_parser.add_argument("--workdir", type=Path, required=True)
    check_parser.add_argument("--jobcomp", type=Path, required=True)
    check_parser.add_argument("--snakemake-log", type=Path, required=True)
    measure_parser = sub.add_parser("measure", help="local vs SLURM, grouped vs not")
    measure_parser.add_argument("--target", default="results/momentum_mindset/day-01.mp4")
    measure_parser.add_argument("--tmp", type=Path, help="parent of the build folders")
    gpu_parser = sub.add_parser("gpu-requests", help="an NVENC render group's GPU request")
    gpu_parser.add_argument("--tmp", type=Path, help="parent of the build folders")
    args = parser.parse_args()
    if args.command == "check":
        problems = check(args.workdir, args.jobcomp, args.snakemake_log)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            raise SystemExit(1)
        count = len(submitted_jobs(args.snakemake_log.read_text()))
        print(f"all {count} SLURM jobs completed, with jobcomp records and plugin logs")
        return
    if args.command == "measure":
        results = measure(args.target, args.tmp)
    else:
        results = gpu_requests(args.tmp)
    for result in results:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
