"""The smart cache on a realistic batch: a channel publishing one video a day, each with the
same intro and outro and fresh middle segments, images from an http provider (a local
OpenAI-compatible server that takes --latency seconds per image, like a paid API).

Builds the batch twice in fresh projects, one video per run as a channel would (or all in
one run with --batch): without the cache (`--workflow-profile none`) and with it (the
default profile). Prints image API
calls, speech jobs computed and wall time for both, as ratios, and `snakereel costs`.

    python bench/cache.py                 # 5 videos, draft preset
    python bench/cache.py --videos 8 --latency 5
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from snakereel.costs import load, summarize, table  # noqa: E402
from tests.imageserver import ImageServer  # noqa: E402

CHANNEL = """\
title: Daily Habit
voice: {{seed: 7}}
images:
  source: http
  http:
    base_url: {url}
    model: img-1
    api_key_env: BENCH_IMAGES_KEY
    style: warm film photo
    price_per_image: 0.04
"""
INTRO = {
    "id": "intro",
    "text": "Welcome back to Daily Habit. One idea, one minute.",
    "image_prompt": "sunrise over a quiet city",
}
OUTRO = {
    "id": "outro",
    "text": "Try it today and tell me how it went. See you tomorrow.",
    "image_prompt": "an open door at dusk",
}
TOPICS = [
    ("Start smaller than you think.", "A tiny habit survives a bad day.", "a single shoe"),
    ("Never miss twice.", "One miss is an accident; two is a pattern.", "a calendar"),
    ("Make it obvious.", "Put the book on your pillow.", "a book on a pillow"),
    ("Stack your habits.", "After coffee, I write one line.", "a coffee cup"),
    ("Track the streak.", "A chain of marks pulls you forward.", "a chain of marks"),
    ("Reduce the friction.", "Lay out your clothes the night before.", "folded clothes"),
    ("Reward the effort.", "Celebrate the rep, not the result.", "a small trophy"),
    ("Choose your people.", "Habits spread through friends.", "friends running"),
]


def video_yaml(day: int) -> str:
    hook, point, prompt = TOPICS[day % len(TOPICS)]
    segments = [
        INTRO,
        {"id": "hook", "text": hook, "image_prompt": prompt},
        {"id": "point", "text": point, "image_prompt": f"{prompt}, close-up"},
        OUTRO,
    ]
    return yaml.safe_dump({"title": f"Day {day + 1}", "segments": segments})


def build(root: Path, cached: bool, env: dict) -> float:
    command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(root)]
    command += ["--cores", "2", "-q"] + ([] if cached else ["--workflow-profile", "none"])
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode:
        sys.exit(f"snakemake failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


def measure(videos: int, cached: bool, latency: float, preset: str, batch: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "SNAKEMAKE_OUTPUT_CACHE"}
    env["BENCH_IMAGES_KEY"] = "bench"
    with tempfile.TemporaryDirectory() as tmp, ImageServer(delay=latency) as server:
        root = Path(tmp)
        folder = root / "channels" / "daily" / "videos"
        folder.mkdir(parents=True)
        (folder.parent / "channel.yaml").write_text(CHANNEL.format(url=server.url))
        config = (REPO / "config.yaml").read_text().replace("preset: production", "")
        (root / "config.yaml").write_text(config + f"preset: {preset}\n")
        wall = 0.0
        for day in range(videos):
            (folder / f"day-{day + 1:02d}.yaml").write_text(video_yaml(day))
            if not batch or day == videos - 1:
                wall += build(root, cached, env)
        metadata = [json.loads(p.read_text()) for p in sorted(root.glob("results/daily/*.json"))]
        summary = load(root / "results")
        costs = "\n\n".join(table(key, summarize(summary, key)) for key in ("channel", "day"))
        return {
            "cache": cached,
            "videos": videos,
            "api_calls": len(server.requests),
            "speech_jobs_run": sum(
                m["stages"]["tts"]["jobs"] - m["stages"]["tts"]["cache_hits"] for m in metadata
            ),
            "cache_hits": sum(m["cache"]["hits"] for m in metadata),
            "cost_usd": round(sum(m["images"]["cost"] for m in metadata), 2),
            "wall_s": round(wall, 1),
            "costs": costs,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=5)
    parser.add_argument("--latency", type=float, default=2.0, help="seconds per image")
    parser.add_argument("--preset", default="draft")
    parser.add_argument(
        "--batch", action="store_true", help="build all videos in one run, not one a day"
    )
    args = parser.parse_args()
    without = measure(args.videos, False, args.latency, args.preset, args.batch)
    with_cache = measure(args.videos, True, args.latency, args.preset, args.batch)
    for result in (without, with_cache):
        print(json.dumps({k: v for k, v in result.items() if k != "costs"}))
    print(
        f"API calls: {with_cache['api_calls']}/{without['api_calls']} = "
        f"{with_cache['api_calls'] / without['api_calls']:.2f}x "
        f"({1 - with_cache['api_calls'] / without['api_calls']:.0%} fewer); "
        f"speech jobs: {with_cache['speech_jobs_run']}/{without['speech_jobs_run']}; "
        f"wall time: {without['wall_s'] / with_cache['wall_s']:.2f}x faster with the cache"
    )
    print("\nsnakereel costs (with the cache):\n" + with_cache["costs"])


if __name__ == "__main__":
    main()
