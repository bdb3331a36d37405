"""One segment rendered two ways in the same run: the original graph vs snakereel production.

The segment is real: the example channel's first sentence spoken by Piper, its karaoke
captions and its title card. (a) is the earlier factory's graph: the PNG looped as an input
(decoded again for every frame), upscaled to 1296x2304, `zoompan` +0.0015 zoom per frame,
centred, 30 fps, `subtitles`, libx264 `medium`, yuv420p. (b) is `snakereel.render` with the
production preset. Prints the wall-time ratio (medians over the repetitions, run
alternately), CPU seconds, SSIM of (b) against (a) and both video bitrates;
`--png docs/img/motion.png` also writes frames at 0/50/100 % of both, (a) above (b).

`--footage` runs the footage case instead: the same segment over a moving 1080p landscape
source and a 1080x1920 portrait one (made here: testsrc2 with film grain, 30 fps, ~8 Mbit/s), (a) a
straightforward graph (`scale` to cover 1080x1920, `crop`, `subtitles`, libx264 `medium`,
with the production preset's upload settings: half-second closed GOPs, 2 B-frames, cap)
vs (b) `snakereel.footage` at the production preset; beside them the CPU of a still
segment of the same length, and draft vs production footage (a draft reads the
provider's 540x960 rendition).

    python bench/render.py [--reps 3] [--png docs/img/motion.png] [--footage]
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
from snakereel.footage import render_footage  # noqa: E402
from snakereel.images import make_card, save_png  # noqa: E402
from snakereel.presets import get_preset  # noqa: E402
from snakereel.project import load_channel  # noqa: E402
from snakereel.render import frame_count, render_clip, upload_args  # noqa: E402
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


# Both pictures get the same colour tags first: ffmpeg negotiates colour space between
# filters, so a BT.709-tagged clip against an untagged one (the baselines) would go through
# a matrix conversion inside the comparison and lose ~0.01-0.02 SSIM that is not there.
SAME_TAGS = "setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv"


def ssim(ours: Path, reference: Path) -> float:
    graph = f"[0:v]{SAME_TAGS}[a];[1:v]{SAME_TAGS}[b];[a][b]ssim"
    text = stderr_of(["-i", str(ours), "-i", str(reference), "-lavfi", graph, "-f", "null", "-"])
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


def make_source(folder: Path, size: str, seconds: float) -> Path:
    """A moving source with grain at a stock library's bitrate (~8 Mbit/s at 1080p)."""
    out = folder / f"source-{size}.mp4"
    graph = f"testsrc2=s={size}:r=30:d={seconds},noise=alls=4:allf=t"
    width, height = (int(v) for v in size.split("x"))
    rate = f"{8 * width * height // (1920 * 1080)}M"
    command = [ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", graph]
    command += ["-c:v", "libx264", "-preset", "fast", "-b:v", rate, "-pix_fmt", "yuv420p"]
    subprocess.run([*command, str(out)], check=True)
    return out


def footage_baseline_args(source: Path, duration: float, font: str, folder: Path, out: Path):
    """The straightforward graph: scale to cover the frame, crop the middle, captions."""
    frames = frame_count(duration, 30)
    fonts = os.path.relpath(fonts_dir(font), folder)
    graph = (
        "[0:v]scale=1080:1920:force_original_aspect_ratio=increase,crop=1080:1920,"
        f"subtitles=captions.ass:fontsdir={fonts},format=yuv420p[v]"
    )
    return [
        *("-i", str(source), "-i", "speech.wav"),
        *("-filter_complex", graph, "-map", "[v]", "-map", "1:a", "-r", "30"),
        *("-c:v", "libx264", "-preset", "medium", "-pix_fmt", "yuv420p"),
        # the same job: an upload-ready clip (closed half-second GOPs, B-frames, the cap)
        *upload_args(get_preset("production")),
        *("-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "1"),
        *("-frames:v", str(frames), "-t", f"{frames / 30:.6f}", str(out)),
    ]


def footage_case(args, folder: Path, duration: float, font: str) -> dict:
    production, draft = get_preset("production"), get_preset("draft")
    common = {"encoder": "libx264", "fonts": fonts_dir(font), "threads": args.threads}
    files = [folder / "speech.wav", folder / "captions.ass"]
    results = {}
    for name, size in (("landscape_1080p", "1920x1080"), ("portrait_1080x1920", "1080x1920")):
        source = make_source(folder, size, duration + 1)
        base, ours = folder / f"base-{name}.mp4", folder / f"ours-{name}.mp4"
        command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y"]
        command += footage_baseline_args(source, duration, font, folder, base)

        def run_baseline(command=command):
            subprocess.run(command, cwd=folder, check=True, capture_output=True)

        def run_ours(source=source, ours=ours):
            render_footage(source, *files, ours, duration=duration, preset=production, **common)

        times = alternate(args.reps, run_baseline, run_ours)
        results[name] = compare(times, base, ours, duration)
        if size == "1080x1920":  # same geometry as the source: how close each stays to it
            results[name]["ssim_to_source"] = {
                "baseline": round(ssim(base, source), 4),
                "ours": round(ssim(ours, source), 4),
            }

    def run_still():
        render_clip(folder / "image.png", *files, folder / "still.mp4", duration=duration,
                    preset=production, motion="kenburns", **common)  # fmt: skip

    small = make_source(folder, "540x960", duration + 1)
    big = folder / "source-1080x1920.mp4"
    draft_out, prod_out = folder / "draft.mp4", folder / "prod.mp4"
    costs = alternate(
        args.reps,
        lambda: render_footage(small, *files, draft_out, duration=duration, preset=draft, **common),
        lambda: render_footage(
            big, *files, prod_out, duration=duration, preset=production, **common
        ),
    )
    still = alternate(args.reps, run_still, run_still)["baseline"]
    results["still_segment_cpu_s"] = round(statistics.median(c for _, c in still), 2)
    draft_cpu = statistics.median(c for _, c in costs["baseline"])
    prod_cpu = statistics.median(c for _, c in costs["ours"])
    results["draft_footage_cpu_s"] = round(draft_cpu, 2)
    results["production_footage_cpu_s"] = round(prod_cpu, 2)
    results["production_over_draft_cpu"] = round(prod_cpu / draft_cpu, 2)
    return results


def alternate(reps: int, baseline, ours) -> dict:
    times = {"baseline": [], "ours": []}
    for rep in range(reps):
        order = [("baseline", baseline), ("ours", ours)]
        for name, work in order if rep % 2 == 0 else order[::-1]:
            times[name].append(timed(work))
    return times


def compare(times: dict, base: Path, ours: Path, duration: float) -> dict:
    wall = {k: statistics.median(w for w, _ in v) for k, v in times.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in times.items()}
    result = {
        "baseline_wall_s": round(wall["baseline"], 2),
        "ours_wall_s": round(wall["ours"], 2),
        "wall_ratio": round(wall["baseline"] / wall["ours"], 2),
        "baseline_cpu_s": round(cpu["baseline"], 2),
        "ours_cpu_s": round(cpu["ours"], 2),
        "cpu_ratio": round(cpu["baseline"] / cpu["ours"], 2),
        "ssim": round(ssim(ours, base), 4),
        "baseline_video_kbps": round(video_kbps(base), 1),
        "ours_video_kbps": round(video_kbps(ours), 1),
    }
    result["bitrate_ratio"] = round(result["ours_video_kbps"] / result["baseline_video_kbps"], 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="x264 threads of ours")
    parser.add_argument("--png", type=Path, help="write the motion sheet here")
    parser.add_argument("--footage", action="store_true", help="the footage case instead")
    args = parser.parse_args()
    if args.footage:
        font = load_channel(CHANNEL).settings["captions"]["font"]
        with tempfile.TemporaryDirectory() as tmp:
            duration = make_segment(Path(tmp))
            result = {"segment_s": round(duration, 2), "reps": args.reps}
            result.update(footage_case(args, Path(tmp), duration, font))
        print(json.dumps(result, indent=1))
        return
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
