"""A page per video for `snakemake --report`: the video plays in it (Snakemake's report
offers a bare mp4 only as a download), with its contact sheet, per-stage timings and
the settings it was built with."""

from __future__ import annotations

import csv
import html
import os
import shutil
from pathlib import Path

import yaml

from .io import write_text_atomic

STAGES = ["tts", "captions", "image", "render", "concat", "music", "mix", "contact"]


def stage_timings(benchmarks: list[Path]) -> list[tuple[str, int, float, float]]:
    """(stage, jobs, total seconds, slowest job) from Snakemake benchmark files."""
    seconds: dict[str, list[float]] = {}
    for path in benchmarks:
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                seconds.setdefault(path.stem, []).append(float(row["s"]))
    order = {name: i for i, name in enumerate(STAGES)}
    return [
        (stage, len(values), sum(values), max(values))
        for stage, values in sorted(seconds.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))
    ]


def video_benchmarks(root: Path, channel: str, video: str) -> list[Path]:
    folder = root / "benchmarks" / channel
    found = sorted(p for p in (folder / video).rglob("*.tsv") if p.stem != "page")
    return found + [p for p in [folder / "music.tsv"] if p.is_file()]


def _link_or_copy(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)  # no second copy of the video on disk
    except OSError:
        shutil.copyfile(source, target)


def page_html(title: str, timings, settings: dict) -> str:
    rows = "\n".join(
        f"<tr><td>{html.escape(stage)}</td><td>{jobs}</td><td>{total:.2f}</td>"
        f"<td>{slowest:.2f}</td></tr>"
        for stage, jobs, total, slowest in timings
    )
    total = sum(t[2] for t in timings)
    used = yaml.safe_dump(settings, sort_keys=True, allow_unicode=True)
    name = html.escape(title)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{name}</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; color: #222; }}
.top {{ display: flex; gap: 2em; flex-wrap: wrap; align-items: flex-start; }}
video {{ width: 360px; max-width: 100%; background: #000; }}
img {{ max-width: 100%; }}
table {{ border-collapse: collapse; }} td, th {{ padding: .2em .8em; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }} tr:nth-child(even) {{ background: #f3f3f3; }}
pre {{ background: #f6f6f6; padding: 1em; overflow: auto; }}
</style></head>
<body>
<h1>{name}</h1>
<div class="top">
<video id="video" controls playsinline preload="metadata">
<source src="video.mp4" type="video/mp4"></video>
<div><h2>Time per stage</h2>
<table id="timings"><tr><th>stage</th><th>jobs</th><th>total s</th><th>slowest s</th></tr>
{rows}
<tr><th>all</th><th></th><th>{total:.2f}</th><th></th></tr></table>
<p>Wall-clock seconds from each job's benchmark file (jobs may run in parallel).</p>
</div></div>
<h2>Contact sheet</h2>
<img id="contact" src="contact.png" alt="one frame of every segment with its text and timing">
<h2>Built with</h2>
<pre id="settings">{html.escape(used)}</pre>
</body></html>
"""


def video_page(
    video: Path, contact: Path, out: Path, *, title: str, settings: dict, benchmarks: list[Path]
) -> None:
    """Write the folder `out`: index.html, video.mp4 and contact.png."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _link_or_copy(Path(video), out / "video.mp4")
    _link_or_copy(Path(contact), out / "contact.png")
    write_text_atomic(out / "index.html", page_html(title, stage_timings(benchmarks), settings))
