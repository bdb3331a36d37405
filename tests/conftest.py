from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from snakereel.ffmpeg import stderr_of

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "channels" / "momentum_mindset"

# Every test project is its own folder, so its builds start their own speech server
# (snakereel.tts.server) and job server (snakereel.jobserver): let each leave soon after,
# not 20 s later.
os.environ.setdefault("SNAKEREEL_TTS_IDLE", "3")
os.environ.setdefault("SNAKEREEL_JOB_IDLE", "3")


def ffprobe(path) -> dict:
    exe = shutil.which("ffprobe")
    if exe is None:
        pytest.fail("ffprobe not found: run `make tools` (or install your system's ffmpeg)")
    out = subprocess.run(
        [exe, "-v", "error", "-print_format", "json", "-show_streams", "-show_format", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def loudness(path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) by ffmpeg's EBU R128 meter."""
    text = stderr_of(
        ["-i", str(path), "-map", "0:a", "-af", "ebur128=peak=true", "-f", "null", "-"]
    )
    integrated = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", text)[-1])
    peak = float(re.findall(r"Peak:\s+(-?[\d.]+) dBFS", text)[-1])
    return integrated, peak


class Workflow:
    """A copy of the example project in a temp dir, driven by the real `snakemake`."""

    def __init__(self, root: Path):
        self.root = root

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [
            sys.executable,
            "-m",
            "snakemake",
            "-s",
            str(REPO / "Snakefile"),
            "-d",
            str(self.root),
            "--cores",
            "2",
            *args,
        ]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.root)
        if check and done.returncode != 0:
            raise AssertionError(f"snakemake failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done

    def planned_outputs(self, *args: str) -> set[str]:
        """Outputs a dry run would build, relative to the root: Snakemake's own plan from
        `--summary` (a rule's `message:` replaces the output lines of `-n`'s listing)."""
        done = self.run("--summary", *args)
        rows = csv.DictReader(
            [line for line in done.stdout.splitlines() if "\t" in line], delimiter="\t"
        )
        return {row["output_file"] for row in rows if row["plan"] != "no update"}

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text()
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1))


@pytest.fixture
def workflow(tmp_path) -> Workflow:
    root = tmp_path / "project"
    (root / "channels").mkdir(parents=True)
    shutil.copytree(EXAMPLE, root / "channels" / EXAMPLE.name)
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    return Workflow(root)
