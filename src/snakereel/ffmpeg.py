"""Find ffmpeg, probe encoders, run commands (argument lists, never a shell)."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .errors import SnakereelError
from .progress import run_logged

MIN_SYSTEM_VERSION = (7, 0)


def _version(exe: str) -> tuple[int, ...]:
    try:
        out = subprocess.run([exe, "-version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ()
    match = re.search(r"ffmpeg version n?(\d+)\.(\d+)", out)
    return tuple(int(g) for g in match.groups()) if match else ()


@functools.cache
def ffmpeg_exe() -> str:
    """$SNAKEREEL_FFMPEG, else a system ffmpeg >= 7.0, else the one imageio-ffmpeg ships."""
    chosen = os.environ.get("SNAKEREEL_FFMPEG")
    if chosen:
        return chosen
    system = shutil.which("ffmpeg")
    if system and _version(system) >= MIN_SYSTEM_VERSION:
        return system
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        raise SnakereelError(
            "no usable ffmpeg found", hint="pip install imageio-ffmpeg, or install ffmpeg >= 7"
        ) from None


def run(args: list[str], log: str | os.PathLike | None = None, cwd=None, total=None) -> str:
    """Run ffmpeg with `args` (without the program name) and return its stderr; stderr also
    streams into `log`, with progress lines (as a percentage of `total` seconds when given)."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", *args]
    if log:
        code, stderr = run_logged(command, log, cwd=cwd, total=total)
    else:
        result = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
        code, stderr = result.returncode, result.stderr
    if code != 0:
        last = stderr.strip().splitlines()[-3:]
        raise SnakereelError("ffmpeg failed: " + " | ".join(last))
    return stderr


def stderr_of(args: list[str]) -> str:
    """Run ffmpeg and return its stderr (for analysis filters that print their results)."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", *args]
    return subprocess.run(command, capture_output=True, text=True).stderr


# NVIDIA's driver device nodes: Linux, and WSL2 (where CUDA and NVENC go through /dev/dxg)
NVIDIA_DEVICES = ("/dev/nvidiactl", "/dev/dxg")


def nvidia_driver_present() -> bool:
    """False where no NVENC encode can succeed: no NVIDIA driver on Linux, or macOS.

    Checked before the probe, which every Snakemake start (a no-op too) would pay."""
    if sys.platform == "darwin":
        return False
    if sys.platform.startswith("linux"):
        return any(os.path.exists(device) for device in NVIDIA_DEVICES)
    return True  # elsewhere the probe decides


@functools.cache
def nvenc_available() -> bool:
    """A tiny real NVENC encode: listing the encoder is not proof that a GPU is there."""
    if not nvidia_driver_present():
        return False
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "probe.mp4"
        command = [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostdin",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=black:s=256x256:d=0.1",
            "-c:v",
            "h264_nvenc",
            str(out),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return False
        return done.returncode == 0 and out.exists() and out.stat().st_size > 0


def choose_encoder(requested: str) -> str:
    if requested == "auto":
        return "h264_nvenc" if nvenc_available() else "libx264"
    return requested


def media_duration(path: str | os.PathLike) -> float:
    """Duration from ffmpeg's own header read (imageio-ffmpeg ships no ffprobe)."""
    return duration_in(stderr_of(["-i", str(path)]), path)


def duration_in(text: str, path: str | os.PathLike) -> float:
    """The input's duration from the header ffmpeg prints on stderr."""
    match = re.search(r"Duration: (\d+):(\d+):(\d+\.\d+)", text)
    if not match:
        raise SnakereelError("not a readable media file", file=path)
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
