"""Soak: many videos in one `snakemake` call; nothing may be lost, memory must stay flat.

Builds N small videos (draft preset, short segments) plus one broken script in a fresh
project with one `snakemake --cores 2` call (default profile: --keep-going), then checks
every video with ffmpeg (present, full length) and prints, per job kind, the peak and
median resident memory from Snakemake's benchmark files (max_rss, MB), and the median
of the last quarter of jobs over the first quarter (1.0 = flat; jobs ordered by finish).

    python bench/soak.py                 # 20 videos, 2 segments each, 2 cores
    python bench/soak.py --videos 50 --keep /tmp/soak
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from snakereel.ffmpeg import media_duration  # noqa: E402
from snakereel.presets import get_preset  # noqa: E402
from snakereel.render import frame_count  # noqa: E402
from snakereel.tts.base import read_wav  # noqa: E402

OPENERS = ["Start", "Keep", "Try", "Build", "Choose", "Protect", "Plan", "Finish"]
HABITS = ["reading", "running", "writing", "saving", "sleeping", "stretching", "cooking"]
MOTIONS = ["kenburns", "pan", "static"]


def make_project(root: Path, videos: int, segments: int) -> list[str]:
    channel = root / "channels" / "soak"
    (channel / "videos").mkdir(parents=True)
    (channel / "channel.yaml").write_text("title: Soak\nvoice: {seed: 5}\n")
    config = (REPO / "config.yaml").read_text().replace("preset: production", "preset: draft")
    (root / "config.yaml").write_text(config)
    names = []
    for v in range(videos):
        lines = [f"title: Soak video {v + 1}", "segments:"]
        for s in range(segments):
            opener = OPENERS[(v + s) % len(OPENERS)]
            habit = HABITS[(v * segments + s) % len(HABITS)]
            lines.append(f"  - id: s{s + 1}")
            lines.append(f"    text: {opener} {habit} today, video {v + 1} part {s + 1}.")
            lines.append(f"    motion: {MOTIONS[(v + s) % len(MOTIONS)]}")
        name = f"v{v + 1:03d}"
        (channel / "videos" / f"{name}.yaml").write_text("\n".join(lines) + "\n")
        names.append(name)
    # One broken script among them: it must fail alone.
    (channel / "videos" / "broken.yaml").write_text("segments:\n  - {text: hi, colour: red}\n")
    return names


def peak_rss_of(pid: int, stop: threading.Event, peak: list[int]) -> None:
    """Poll the Snakemake process's resident memory (kB) until `stop`."""
    status = Path(f"/proc/{pid}/status")
    while not stop.is_set():
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    peak[0] = max(peak[0], int(line.split()[1]))
        except OSError:
            return
        stop.wait(0.2)


def run_snakemake(root: Path, cores: int) -> tuple[int, float, float, str]:
    command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile")]
    command += ["-d", str(root), "--cores", str(cores)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    stop, peak = threading.Event(), [0]
    watcher = threading.Thread(target=peak_rss_of, args=(process.pid, stop, peak))
    watcher.start()
    output = process.communicate()[0].decode(errors="replace")
    stop.set()
    watcher.join()
    return process.returncode, time.perf_counter() - start, peak[0] / 1024, output


def check_videos(root: Path, names: list[str], fps: int) -> tuple[list[str], float]:
    """Names of the videos that are missing or short; total seconds of video."""
    lost, total = [], 0.0
    for name in names:
        final = root / "results" / "soak" / f"{name}.mp4"
        wavs = sorted((root / "results" / "soak" / name).glob("*/speech.wav"))
        if not final.is_file() or not wavs:
            lost.append(name)
            continue
        expected = 0.0
        for wav in wavs:
            samples, rate = read_wav(wav)
            expected += frame_count(len(samples) / rate, fps) / fps
        seconds = media_duration(final)
        if abs(seconds - expected) > 0.1:
            lost.append(name)
        total += seconds
    return lost, total


def memory_by_kind(root: Path) -> dict[str, dict]:
    jobs = defaultdict(list)  # kind -> [(finish time, max_rss MB)]
    for tsv in (root / "benchmarks").rglob("*.tsv"):
        with tsv.open() as handle:
            row = next(csv.DictReader(handle, delimiter="\t"))
        try:
            rss = float(row["max_rss"])
        except (KeyError, ValueError):
            continue  # a job too short to be sampled reports "NA"
        jobs[tsv.stem].append((tsv.stat().st_mtime, rss))
    table = {}
    for kind, rows in sorted(jobs.items()):
        rss = [r for _, r in sorted(rows)]
        quarter = max(1, len(rss) // 4)
        first, last = statistics.median(rss[:quarter]), statistics.median(rss[-quarter:])
        table[kind] = {
            "jobs": len(rss),
            "peak_rss_mb": round(max(rss), 1),
            "median_rss_mb": round(statistics.median(rss), 1),
            "last_over_first_quarter": round(last / first, 2) if first else None,
        }
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--videos", type=int, default=20)
    parser.add_argument("--segments", type=int, default=2)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: temp dir)")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="snakereel-soak-"))
    try:
        names = make_project(root, args.videos, args.segments)
        code, wall, main_rss, output = run_snakemake(root, args.cores)
        lost, seconds = check_videos(root, names, get_preset("draft").fps)
        broken_failed_alone = (
            "broken.yaml: segments[0].colour: unknown key" in output
            and not (root / "results/soak/broken.mp4").exists()
        )
        summary = {
            "videos": args.videos,
            "segments_per_video": args.segments,
            "cores": args.cores,
            "built": args.videos - len(lost),
            "lost": lost,
            "broken_script_failed_alone": broken_failed_alone,
            "snakemake_exit": code,  # non-zero: the broken script's job failed, on purpose
            "wall_s": round(wall, 1),
            "video_s": round(seconds, 1),
            "snakemake_process_peak_rss_mb": round(main_rss, 1),
        }
        print(json.dumps(summary))
        print(f"{'job kind':<10} {'jobs':>5} {'peak MB':>8} {'median MB':>10} {'last/first':>11}")
        for kind, row in memory_by_kind(root).items():
            print(
                f"{kind:<10} {row['jobs']:>5} {row['peak_rss_mb']:>8} "
                f"{row['median_rss_mb']:>10} {row['last_over_first_quarter']:>11}"
            )
        return 0 if not lost and broken_failed_alone else 1
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
