"""Power cuts: SIGKILL a real build (snakemake and every job it started) at several
moments, check that nothing in results/ looks finished when it is not, then rerun with
the default profile (--rerun-incomplete) and check the final video with ffprobe.
Ctrl-C (SIGINT to the whole process group, as a terminal sends it) is one more moment.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import pysubs2
import pytest
from PIL import Image

from snakereel.presets import get_preset
from snakereel.render import frame_count

from .conftest import REPO, Workflow, ffprobe

pytestmark = pytest.mark.slow

FPS = get_preset("draft").fps
VIDEO = "results/ch/v1"
SCRIPT = """title: Crash test
segments:
  - {id: one, text: The first short sentence.}
  - {id: two, text: Then a second one follows.}
  - {id: three, text: A third keeps the cores busy., motion: pan}
  - {id: four, text: And the fourth one ends it., motion: static}
"""


def temps(root: Path, pattern: str) -> list[Path]:
    results = root / "results"
    return [p for p in results.rglob(pattern) if p.is_file()] if results.exists() else []


def writing(pattern: str):
    """A moment: a temp file of this kind exists and has bytes in it (mid-write)."""
    return lambda root: any(p.stat().st_size > 0 for p in temps(root, pattern))


def started(log: str):
    """A moment: the job's log exists (it runs, its output is not written yet)."""
    return lambda root: (root / log).is_file() and not (root / f"{VIDEO}.mp4").exists()


MOMENTS = [
    ("Ctrl-C while speech or images are made", lambda root: bool(temps(root, "*.wav"))),
    ("render starts", lambda root: bool(temps(root, ".clip.tmp*.mp4"))),
    ("render writes", writing(".clip.tmp*.mp4")),
    ("mix measures loudness", started("logs/ch/v1/mix.log")),
    ("mix writes", writing(".v1.tmp*.mp4")),
]


def kill_build_when(flow: Workflow, moment, sig=signal.SIGKILL) -> bool:
    """Start a real build; send `sig` to its whole process group when `moment` comes."""
    command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile")]
    command += ["-d", str(flow.root), "--cores", "2"]
    build = subprocess.Popen(
        command,
        cwd=flow.root,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while build.poll() is None:
            if moment(flow.root):
                os.killpg(build.pid, sig)
                build.wait(timeout=120)
                return True
            time.sleep(0.005)
        return False
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
            build.wait()


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as handle:
        assert handle.getnframes() > 0
        return handle.getnframes() / handle.getframerate()


def media_seconds(path: Path) -> float:
    return float(ffprobe(path)["format"]["duration"])


def check_nothing_half_written(root: Path) -> None:
    """Every file in results/ with an output's name is whole; temp files are hidden."""
    for path in sorted((root / "results").rglob("*")):
        if path.name == ".snakemake_timestamp":  # Snakemake's mark in a directory output
            continue
        if not path.is_file() or path.name.startswith("."):
            assert path.is_dir() or ".tmp" in path.name, path
            continue
        if path.suffix == ".wav":
            wav_seconds(path)
        elif path.suffix == ".json":  # words, speech and image records
            assert json.loads(path.read_text())
        elif path.suffix == ".ass":
            assert pysubs2.load(str(path)).events
        elif path.suffix == ".png":
            with Image.open(path) as image:
                image.verify()
        elif path.name == "clip.mp4":
            wav = path.with_name("speech.wav")
            expected = frame_count(wav_seconds(wav), FPS) / FPS
            assert abs(media_seconds(path) - expected) < 0.05, path
        elif path.suffix == ".mp4":
            assert media_seconds(path) > 0, path
        elif path.suffix == ".onnx":  # the prepared Piper voice
            assert path.stat().st_size > 1_000_000, path
        elif path.suffix == ".html":  # the report page
            assert path.read_text().rstrip().endswith("</html>"), path
        else:
            raise AssertionError(f"unexpected file in results: {path}")


@pytest.fixture
def project(tmp_path) -> Workflow:
    root = tmp_path / "project"
    (root / "channels/ch/videos").mkdir(parents=True)
    (root / "channels/ch/channel.yaml").write_text("title: Crash\nvoice: {seed: 3}\n")
    (root / "channels/ch/videos/v1.yaml").write_text(SCRIPT)
    config = (REPO / "config.yaml").read_text().replace("preset: production", "preset: draft")
    (root / "config.yaml").write_text(config)
    return Workflow(root)


def test_sigkill_at_several_moments_then_rerun(project):
    killed = []
    final = project.root / f"{VIDEO}.mp4"
    for name, moment in MOMENTS:
        ctrl_c = name.startswith("Ctrl-C")
        for _ in range(3):
            landed = kill_build_when(project, moment, signal.SIGINT if ctrl_c else signal.SIGKILL)
            if not (landed and name.startswith("mix") and final.exists()):
                break
            # On a loaded machine the mix may finish between the moment and the kill: that
            # final is whole (checked below); take it away and try the moment again.
            check_nothing_half_written(project.root)
            project.run("--unlock")
            final.unlink()
        if landed:
            killed.append(name)
        check_nothing_half_written(project.root)
        if name.startswith("mix"):
            assert not (project.root / f"{VIDEO}.mp4").exists(), name
        if ctrl_c:  # Snakemake stops its jobs and releases its lock by itself
            assert list((project.root / ".snakemake/locks").glob("*")) == []
        else:  # a killed Snakemake leaves its lock behind: the next run needs --unlock once
            project.run("--unlock")
        if name.startswith("mix"):  # the rerun redoes the interrupted mix and what follows it
            # (the contact sheet needs only the clips: it may be built already)
            after_mix = {f"{VIDEO}.mp4", f"{VIDEO}.json", f"{VIDEO}.page", f"{VIDEO}.contact.png"}
            assert {f"{VIDEO}.mp4"} <= project.planned_outputs() <= after_mix
    assert killed == [name for name, _ in MOMENTS], f"moments reached: {killed}"

    project.run()  # the default profile: --rerun-incomplete --keep-going
    check_nothing_half_written(project.root)
    assert temps(project.root, ".*.tmp*") == [], "a rerun clears a killed job's temp files"
    info = ffprobe(final)
    kinds = sorted(s["codec_type"] for s in info["streams"])
    assert kinds == ["audio", "video"]
    wavs = sorted((project.root / VIDEO).glob("*/speech.wav"))
    assert len(wavs) == 4
    full = sum(frame_count(wav_seconds(w), FPS) / FPS for w in wavs)
    assert abs(float(info["format"]["duration"]) - full) < 0.1
    for stream in info["streams"]:
        assert abs(float(stream["duration"]) - full) < 0.1, stream["codec_type"]
    assert project.planned_outputs() == set()
