"""Time the real workflow on the example channel: cold build, no-op, one-sentence edit.

Prints the realtime factor (seconds of narration per wall second) and ratios; run with
`make bench` (production preset) or `python bench/build.py --preset draft`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from snakereel.ffmpeg import media_duration  # noqa: E402


def snakemake(root: Path, cores: int, preset: str) -> float:
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
    ]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def measure(cores: int, preset: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "channels", root / "channels")
        shutil.copy(REPO / "config.yaml", root / "config.yaml")
        cold = snakemake(root, cores, preset)
        audio = sum(media_duration(p) for p in (root / "results").glob("*/*.mp4"))
        noop = snakemake(root, cores, preset)
        script = root / "channels/momentum_mindset/videos/day-01.yaml"
        script.write_text(script.read_text().replace("one page", "two pages"))
        edit = snakemake(root, cores, preset)
    return {
        "preset": preset,
        "cores": cores,
        "cold_s": round(cold, 2),
        "audio_s": round(audio, 2),
        "realtime_factor": round(audio / cold, 2),
        "noop_s": round(noop, 2),
        "edit_s": round(edit, 2),
        "edit_fraction_of_cold": round(edit / cold, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--preset", action="append", choices=["draft", "preview", "production"])
    args = parser.parse_args()
    results = [measure(args.cores, preset) for preset in args.preset or ["production", "draft"]]
    for result in results:
        print(json.dumps(result))
    by_preset = {r["preset"]: r for r in results}
    if {"draft", "production"} <= by_preset.keys():
        ratio = by_preset["production"]["cold_s"] / by_preset["draft"]["cold_s"]
        print(f"draft is {ratio:.2f}x faster than production (cold build)")


if __name__ == "__main__":
    main()
