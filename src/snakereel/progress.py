"""Run ffmpeg with its output streamed into the job's log, so a long render shows how far
it got (`tail -f logs/.../render.log`): "progress: 40% (2.7 of 6.7 s), speed 1.9x"."""

from __future__ import annotations

import re
import subprocess
import time

STATS = re.compile(rb"^(frame|size)=")
TIME = re.compile(rb"time=\s*(\d+):(\d+):(\d+(?:\.\d+)?)")
SPEED = re.compile(rb"speed=\s*([\d.]+)x")
EVERY = 1.0  # seconds between two progress lines


def progress_line(stats: bytes, total: float | None) -> str:
    match = TIME.search(stats)
    if not match:
        return stats.decode(errors="replace")
    hours, minutes, seconds = (float(g) for g in match.groups())
    done = hours * 3600 + minutes * 60 + seconds
    speed = SPEED.search(stats)
    tail = f", speed {speed.group(1).decode()}x" if speed else ""
    if total:
        percent = min(100, round(100 * done / total))
        return f"progress: {percent}% ({done:.1f} of {total:.1f} s){tail}"
    return f"progress: {done:.1f} s{tail}"


def run_logged(command: list[str], log, cwd=None, total: float | None = None) -> tuple[int, str]:
    """Run `command`, append its stderr to `log` line by line as it comes (ffmpeg's
    carriage-return stats become progress lines, at most one a second, plus the last).
    Returns (exit code, stderr text)."""
    kept: list[str] = []
    with open(log, "a", encoding="utf-8") as handle:
        handle.write("$ " + " ".join(command) + "\n")
        handle.flush()
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd
        )
        buffer, last_stats, shown, written = b"", b"", b"", 0.0
        while chunk := process.stderr.read1(65536):
            buffer += chunk
            *parts, buffer = re.split(rb"[\r\n]", buffer)
            for part in filter(None, parts):
                if STATS.match(part):
                    last_stats = part
                    if time.monotonic() - written >= EVERY:
                        handle.write(progress_line(part, total) + "\n")
                        handle.flush()
                        shown, written = part, time.monotonic()
                    continue
                text = part.decode(errors="replace")
                kept.append(text)
                handle.write(text + "\n")
                handle.flush()
        if buffer.strip():
            kept.append(buffer.decode(errors="replace"))
            handle.write(kept[-1] + "\n")
        code = process.wait()
        if last_stats and last_stats != shown:
            handle.write(progress_line(last_stats, total) + "\n")
        handle.write("\n")
    return code, "\n".join(kept)
