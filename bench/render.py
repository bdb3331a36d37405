"""One segment rendered two ways in the same run: the original graph vs snakereel production.

The segment is real: the example channel's first sentence spoken by Piper, its karaoke
captions and its title card. (a) is the earlier factory's graph: the PNG looped as an input
(decoded again for every frame), upscaled to 1296x2304, `zoompan` +0.0015 zoom per frame,
centred, 30 fps, `subtitles`, libx264 `medium`, yuv420p. (b) is `snakereel.render` with the
production preset. Prints the wall-time ratio (medians over the repetitions, run
alternately), CPU seconds, SSIM of (b) against (a) and both video bitrates;
`--png docs/img/motion.png` also writes frames at 0/50/100 % of both, (a) above (b).

    python bench/render.py [--reps 3] [--png docs/img/motion.png]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from snakereel.captions import write_captions  # noqa: E402
from snakereel.ffmpeg import ffmpeg_exe, stderr_of  # noqa: E402
from snakereel.fonts import fonts_dir  # noqa: E402
from snakereel.images import make_card, save_png  # noqa: E402
from snakereel.presets import get_preset  # noqa: E402
from snakereel.project import load_channel  # noqa: E402
from snakereel.render import frame_count, render_clip  # noqa: E402
from snakereel.tts import load_engine  # noqa: E402

CHANNEL = REPO / "channels" / "momentum_mindset"


def make_segment(folder: Path) -> float:
    """speech.wav, captions.ass and image.png of the example channel's first segment."""
    channel = load_channel(CHANNEL)
    segment = next(iter(channel.videos.values())).segments[0]
    settings = channel.settings
    speech = load_engine(settings["voice"]).synthesize(segment.text)
    speech = speech.with_silence(settings["voice"]["pause"])
    speech.save(folder / "speech.wav", folder / "words.json")
    write_captions(speech.words, settings["captions"], speech.duration, folder / "captions.ass")
    images = settings["images"]
    card = make_card(images["palette"], images["accent"], segment.title or "", segment.id)
    save_png(card, folder / "image.png")
    return speech.duration


def baseline_args(folder: Path, duration: float, font: str, out: Path) -> list[str]:
    """The original graph. In ffmpeg >= 5 zoompan's `zoom` restarts at every input frame, so
    with one output frame per looped input frame, +0.0015 per frame is written 1+0.0015*on."""
    frames = frame_count(duration, 30)
    fonts = os.path.relpath(fonts_dir(font), folder)
    graph = (
        "[0:v]scale=1296:2304,"
        "zoompan=z='1+0.0015*on':d=1:x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)'"
        ":s=1080x1920:fps=30,"
        f"subtitles=captions.ass:fontsdir={fonts},format=yuv420p[v]"
    )
    return [
        *("-loop", "1", "-i", "image.png", "-i", "speech.wav"),
        *("-filter_complex", graph, "-map", "[v]", "-map", "1:a"),
        *("-c:v", "libx264", "-preset", "medium", "-pix_fmt", "yuv420p"),
        *("-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "1"),
        *("-frames:v", str(frames), "-t", f"{frames / 30:.6f}", str(out)),
    ]


def timed(work) -> tuple[float, float]:
    """(wall seconds, CPU seconds of child processes) of `work()`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    work()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def video_kbps(path: Path) -> float:
    """Video stream bitrate from its packet sizes (the ffmpeg that pip ships has no ffprobe)."""
    text = stderr_of(["-i", str(path), "-map", "0:v", "-c", "copy", "-f", "null", "-"])
    kib = float(re.findall(r"video:\s*([\d.]+)\s*KiB", text)[-1])
    seconds = re.findall(r"time=(\d+):(\d+):([\d.]+)", text)[-1]
    duration = int(seconds[0]) * 3600 + int(seconds[1]) * 60 + float(seconds[2])
    return kib * 1024 * 8 / duration / 1000


def ssim(ours: Path, reference: Path) -> float:
    text = stderr_of(["-i", str(ours), "-i", str(reference), "-lavfi", "ssim", "-f", "null", "-"])
    return float(re.findall(r"All:([\d.]+)", text)[-1])


def motion_sheet(base: Path, ours: Path, frames: int, out: Path) -> None:
    """Frames at 0, 50 and 100 % of both clips, side by side: baseline above, ours below."""
    picks = "+".join(f"eq(n\\,{n})" for n in (0, (frames - 1) // 2, frames - 1))
    row = f"select='{picks}',scale=270:480,tile=3x1"
    graph = f"[0:v]{row}[a];[1:v]{row}[b];[a][b]vstack"
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [ffmpeg_exe(), "-v", "error", "-y", "-i", str(base), "-i", str(ours)]
    command += ["-filter_complex", graph, "-frames:v", "1", str(out)]
    subprocess.run(command, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="x264 threads of ours")
    parser.add_argument("--png", type=Path, help="write the motion sheet here")
    args = parser.parse_args()
    preset = get_preset("production")
    font = load_channel(CHANNEL).settings["captions"]["font"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        duration = make_segment(folder)
        base, ours = folder / "baseline.mp4", folder / "ours.mp4"
        command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y"]
        command += baseline_args(folder, duration, font, base)

        def run_baseline():
            subprocess.run(command, cwd=folder, check=True, capture_output=True)

        def run_ours():
            render_clip(
                folder / "image.png",
                folder / "speech.wav",
                folder / "captions.ass",
                ours,
                duration=duration,
                preset=preset,
                motion="kenburns",
                encoder="libx264",
                fonts=fonts_dir(font),
                threads=args.threads,
            )

        times = {"baseline": [], "ours": []}
        for rep in range(args.reps):
            order = [("baseline", run_baseline), ("ours", run_ours)]
            for name, work in order if rep % 2 == 0 else order[::-1]:
                times[name].append(timed(work))
        wall = {k: statistics.median(w for w, _ in v) for k, v in times.items()}
        cpu = {k: statistics.median(c for _, c in v) for k, v in times.items()}
        result = {
            "segment_s": round(duration, 2),
            "reps": args.reps,
            "baseline_wall_s": round(wall["baseline"], 2),
            "ours_wall_s": round(wall["ours"], 2),
            "wall_ratio": round(wall["baseline"] / wall["ours"], 2),
            "cpu_ratio": round(cpu["baseline"] / cpu["ours"], 2),
            "baseline_cpu_s": round(cpu["baseline"], 2),
            "ours_cpu_s": round(cpu["ours"], 2),
            "ours_realtime": round(duration / wall["ours"], 2),
            "ssim": round(ssim(ours, base), 4),
            "baseline_video_kbps": round(video_kbps(base), 1),
            "ours_video_kbps": round(video_kbps(ours), 1),
        }
        result["bitrate_ratio"] = round(
            result["ours_video_kbps"] / result["baseline_video_kbps"], 2
        )
        if args.png:
            motion_sheet(base, ours, frame_count(duration, 30), args.png)
    print(json.dumps(result, indent=1))
    print(
        f"ours is {result['wall_ratio']}x faster (wall; target >= 3), SSIM {result['ssim']} "
        f"(target >= 0.98), bitrate {result['bitrate_ratio']}x the baseline's (target <= 1.5)"
    )


if __name__ == "__main__":
    main()
