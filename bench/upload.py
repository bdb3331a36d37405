"""What each of YouTube's upload settings costs a production segment, in the same run.

The segment is the example channel's first sentence (Piper speech, karaoke captions, its
title card, kenburns), rendered by `snakereel.render` with the production preset: first
without the upload items (x264 superfast defaults: keyframes only at scene cuts, 3
B-frames, no bitrate cap), then with each item alone, then with all of them (what
production renders). Prints wall and CPU (medians over the repetitions, run alternately),
video bitrate and SSIM against the render without the items. The container items (no edit
list, moov first) belong to the mix and cost nothing measurable; BT.709 is the same
conversion with other coefficients.

    python bench/upload.py [--reps 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from snakereel.ffmpeg import ffmpeg_exe  # noqa: E402
from snakereel.fonts import fonts_dir  # noqa: E402
from snakereel.presets import get_preset  # noqa: E402
from snakereel.project import load_channel  # noqa: E402
from snakereel.render import build_clip_command, upload_args  # noqa: E402

spec = importlib.util.spec_from_file_location("bench_render", REPO / "bench" / "render.py")
bench_render = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench_render)


def variants(preset) -> dict[str, list[str]]:
    """Extra encoder arguments per case, from the upload arguments production uses."""
    items = upload_args(preset)
    gop, bframes, cap = items[:2], items[2:4], items[4:]
    return {
        "without the items": [],
        "+ keyframe every 0.5 s": gop,
        "+ 2 B-frames": bframes,
        "+ bitrate cap": cap,
        "all (production)": items,
    }


def command(folder: Path, out: Path, duration: float, preset, extra: list[str]) -> list[str]:
    font = load_channel(bench_render.CHANNEL).settings["captions"]["font"]
    args = build_clip_command(
        folder / "image.png",
        folder / "speech.wav",
        folder / "captions.ass",
        out,
        duration=duration,
        preset=replace(preset, upload_ready=False),
        motion="kenburns",
        encoder="libx264",
        fonts=fonts_dir(font),
    )
    return [ffmpeg_exe(), "-v", "error", "-y", *args[:-1], *extra, args[-1]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    preset = get_preset("production")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        duration = bench_render.make_segment(folder)
        cases = variants(preset)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(args.reps):
            for index, (name, extra) in enumerate(cases.items()):
                line = command(folder, folder / f"{index}.mp4", duration, preset, extra)
                work = lambda line=line: subprocess.run(line, cwd=folder, check=True)  # noqa: E731
                times[name].append(bench_render.timed(work))
        reference = folder / "0.mp4"
        print(f"segment: {duration:.2f} s at {preset.width}x{preset.height}, {args.reps} reps")
        print(f"{'case':<24} {'wall s':>7} {'CPU s':>6} {'kbit/s':>7} {'size':>6} {'SSIM':>7}")
        base_kbps = bench_render.video_kbps(reference)
        for index, name in enumerate(cases):
            wall = statistics.median(t[0] for t in times[name])
            cpu = statistics.median(t[1] for t in times[name])
            kbps = bench_render.video_kbps(folder / f"{index}.mp4")
            similar = bench_render.ssim(folder / f"{index}.mp4", reference)
            print(
                f"{name:<24} {wall:7.2f} {cpu:6.2f} {kbps:7.0f} {kbps / base_kbps:5.2f}x "
                f"{similar:7.4f}"
            )


if __name__ == "__main__":
    main()
