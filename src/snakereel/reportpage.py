"""A page per video for `snakemake --report`: the video plays in it (Snakemake's report
offers a bare mp4 only as a download), with its contact sheet, per-stage timings and
the settings it was built with."""

from __future__ import annotations

import html
import json
import os
import shutil
from pathlib import Path

import yaml

from .io import write_text_atomic

STAGES = ["tts", "image", "render", "music", "mix", "contact"]


def stage_timings(metadata: dict) -> list[tuple[str, int, float]]:
    """(stage, jobs, total seconds) from the video's metadata (results/C/V.json), which
    reads the benchmark files and, for cached stages, the jobs' own logs."""
    order = {name: i for i, name in enumerate(STAGES)}
    stages = sorted(metadata["stages"].items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))
    return [
        (stage, values["jobs"], values["seconds"]) for stage, values in stages if values["jobs"]
    ]


def _link_or_copy(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)  # no second copy of the video on disk
    except OSError:
        shutil.copyfile(source, target)


def credits_html(credits: list[dict]) -> str:
    """Stock footage credits: author, page and licence of each clip, by segment."""
    if not credits:
        return ""
    items = "\n".join(
        f'<li>{html.escape(c["segment"])}: <a href="{html.escape(c["url"])}">'
        f"{html.escape(c['author'] or 'unknown author')}</a> on {html.escape(c['provider'])}"
        f" ({html.escape(c['licence'])})</li>"
        for c in credits
    )
    return f'<h2>Footage credits</h2>\n<ul id="credits">\n{items}\n</ul>\n'


def page_html(title: str, timings, settings: dict, credits: list[dict] = ()) -> str:
    rows = "\n".join(
        f"<tr><td>{html.escape(stage)}</td><td>{jobs}</td><td>{total:.2f}</td></tr>"
        for stage, jobs, total in timings
    )
    total = sum(t[2] for t in timings)
    used = yaml.safe_dump(settings, sort_keys=True, allow_unicode=True)
    name = html.escape(title)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{name}</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; color: #222; }}
.top {{ display: flex; gap: 2em; flex-wrap: wrap; align-items: flex-start; }}
video {{ max-width: 100%; max-height: 640px; background: #000; }}
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
<table id="timings"><tr><th>stage</th><th>jobs</th><th>total s</th></tr>
{rows}
<tr><th>all</th><th></th><th>{total:.2f}</th></tr></table>
<p>Wall-clock seconds of the jobs (they may run in parallel); cached jobs count as 0.</p>
</div></div>
<h2>Contact sheet</h2>
<img id="contact" src="contact.png" alt="one frame of every segment with its text and timing">
{credits_html(list(credits))}<h2>Built with</h2>
<pre id="settings">{html.escape(used)}</pre>
</body></html>
"""


def video_page(
    video: Path, contact: Path, metadata: Path, out: Path, *, title: str, settings: dict
) -> None:
    """Write the folder `out`: index.html, video.mp4 and contact.png."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _link_or_copy(Path(video), out / "video.mp4")
    _link_or_copy(Path(contact), out / "contact.png")
    data = json.loads(Path(metadata).read_text(encoding="utf-8"))
    page = page_html(title, stage_timings(data), settings, data.get("credits", []))
    write_text_atomic(out / "index.html", page)
