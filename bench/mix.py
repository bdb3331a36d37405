"""Merge plus music mix of a 60 s production video: wall time, loudness and true peak.

Production clips of one Piper sentence of the example channel (rendered once, used as
many times as 60 s needs) are merged by stream copy, their narration joined frame-exactly, then the
generated music is ducked under the voice and the result normalised (EBU R128). The target
is <= 1.5 s for merge + mix at -14 LUFS +-1 and a true peak <= -1 dBTP.

    python bench/mix.py [--reps 3]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from render import CHANNEL, make_segment  # noqa: E402

from snakereel.assemble import mix  # noqa: E402
from snakereel.ffmpeg import media_duration, stderr_of  # noqa: E402
from snakereel.fonts import fonts_dir  # noqa: E402
from snakereel.music import write_music  # noqa: E402
from snakereel.presets import get_preset  # noqa: E402
from snakereel.project import load_channel  # noqa: E402
from snakereel.render import render_clip  # noqa: E402


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (ffmpeg)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def loudness(path: Path) -> tuple[float, float]:
    meter = ["-map", "0:a", "-af", "ebur128=peak=true", "-f", "null", "-"]
    text = stderr_of(["-i", str(path), *meter])
    summary = text[text.rindex("Summary:") :]
    loud = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    return loud, float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=60.0, help="video length to reach")
    args = parser.parse_args()
    preset = get_preset("production")
    settings = load_channel(CHANNEL).settings
    loudness_target = -14.0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        seconds = make_segment(root)
        render_clip(
            root / "image.png",
            root / "speech.wav",
            root / "captions.ass",
            root / "clip.mp4",
            duration=seconds,
            preset=preset,
            motion="kenburns",
            encoder="libx264",
            fonts=fonts_dir(settings["captions"]["font"]),
        )
        clips, wavs = [], []
        for index in range(math.ceil(args.seconds / seconds)):
            folder = root / f"s{index}"
            folder.mkdir()
            clips.append(shutil.copy(root / "clip.mp4", folder / "clip.mp4"))
            wavs.append(shutil.copy(root / "speech.wav", folder / "speech.wav"))
        write_music(root / "music.wav", seed=settings["music"]["seed"])
        times, cpu = [], []
        for _ in range(args.reps):
            before = cpu_seconds()
            start = time.perf_counter()
            mix(
                clips,
                wavs,
                root / "music.wav",
                root / "final.mp4",
                fps=preset.fps,
                volume=settings["music"]["volume"],
                ducking=settings["music"]["ducking"],
                target=loudness_target,
                true_peak=-1.0,
                audio_bitrate=preset.audio_bitrate,
            )
            times.append(time.perf_counter() - start)
            cpu.append(cpu_seconds() - before)
        integrated, peak = loudness(root / "final.mp4")
        result = {
            "video_s": round(media_duration(root / "final.mp4"), 2),
            "merge_mix_s": round(statistics.median(times), 2),
            "all_s": [round(t, 2) for t in times],
            "cpu_s": round(statistics.median(cpu), 2),
            "lufs": integrated,
            "true_peak_dbtp": peak,
        }
    print(json.dumps(result))
    print(
        f"merge + mix of {result['video_s']} s: {result['merge_mix_s']} s (target <= 1.5), "
        f"{integrated} LUFS (target {loudness_target} +-1), true peak {peak} dBTP (<= -1)"
    )


if __name__ == "__main__":
    main()
