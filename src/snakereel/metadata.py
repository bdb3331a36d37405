"""Per-video metadata `results/<channel>/<video>.json`: what each stage cost, which engine
and voice spoke, how many image API calls were made, how many jobs the cache answered,
and the LLM tokens a written script took.

Wall times come from the `benchmark:` files; the two cached rules (tts, image) may not have
one, so their jobs log `done in <s> s` instead. A job answered by the between-workflow
cache does not run: Snakemake deletes its old log before the job and leaves an empty one,
so an output present with an empty log is a cache hit.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path

from .ffmpeg import media_duration

log = logging.getLogger("snakereel.metadata")

DONE = re.compile(r"done in ([0-9.]+) s")
SEGMENT_STAGES = ("tts", "image", "render")  # render writes the captions too
CACHED_STAGES = ("tts", "image")
VIDEO_STAGES = ("mix",)  # the clips are joined in the mix


def benchmark_seconds(path: Path) -> float:
    """Wall seconds from a Snakemake benchmark TSV (first column `s`), 0 if absent."""
    try:
        rows = path.read_text().splitlines()[1:]
    except FileNotFoundError:
        return 0.0
    return sum(float(row.split("\t")[0]) for row in rows if row.strip())


def job_from_log(path: Path, output: Path) -> tuple[bool, float]:
    """(answered by the cache, wall seconds) for a job of a cached rule: a hit leaves an
    empty log and an output that is a symlink into the cache."""
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        text = ""
    if not text.strip():
        return Path(output).is_symlink(), 0.0
    times = DONE.findall(text)
    return False, float(times[-1]) if times else 0.0


def _read_json(path: Path) -> dict:
    if not path.name:
        return {}
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}


def collect(channel: str, video: str, spec: dict, files: dict) -> dict:
    """The metadata of one built video, from the files `Layout.video_records` names."""
    stages = {stage: {"jobs": 0, "seconds": 0.0} for stage in SEGMENT_STAGES + VIDEO_STAGES}
    for stage in CACHED_STAGES:
        stages[stage].update(cache_hits=0)
    images = {"api_calls": 0, "generated": 0, "cache_hits": 0, "fallbacks": []}
    engines, voices, speech_fallbacks, segments, credits = set(), set(), [], [], []
    for segment in spec["segments"]:
        entry = {"id": segment}
        found = files["segments"][segment]
        for stage in SEGMENT_STAGES:
            stages[stage]["jobs"] += 1
            if stage in CACHED_STAGES:
                hit, seconds = job_from_log(Path(found[f"{stage}_log"]), Path(found[stage]))
                stages[stage]["cache_hits"] += hit
                entry[stage] = {"cached": hit, "seconds": round(seconds, 3)}
            else:
                seconds = benchmark_seconds(Path(found[f"{stage}_benchmark"]))
            stages[stage]["seconds"] += seconds
        speech = _read_json(Path(found["speech_info"])) or spec["voice"]
        engines.add(speech.get("engine", ""))
        voices.add(speech.get("voice", ""))
        if speech.get("fallback"):
            speech_fallbacks.append(segment)
        record = _read_json(Path(found["image_info"]))
        entry["image"].update(source=record.get("source", ""))
        if record.get("fallback"):
            images["fallbacks"].append(segment)
            entry["image"]["fallback"] = True
        if record.get("api_calls") or record.get("model"):  # an http image
            if entry["image"]["cached"]:
                images["cache_hits"] += 1
            else:
                images["api_calls"] += record.get("api_calls", 0)
                images["generated"] += not record.get("fallback")
        footage = _read_json(Path(found.get("footage_info", "")))
        if footage:  # a stock segment: what was chosen, why, and whose work it is
            entry["footage"] = {key: footage.get(key) for key in ("kind", "id", "reason")}
            if footage.get("credit"):
                credits.append({"segment": segment, **footage["credit"]})
        segments.append(entry)
    for stage in VIDEO_STAGES:
        seconds = benchmark_seconds(Path(files[f"{stage}_benchmark"]))
        stages[stage] = {"jobs": 1, "seconds": seconds}
    for values in stages.values():
        values["seconds"] = round(values["seconds"], 3)
    price = spec["price_per_image"]
    images.update(
        price_per_image=price,
        currency=spec["currency"],
        cost=round(images["generated"] * price, 4),
        saved=round(images["cache_hits"] * price, 4),
    )
    final = Path(files["final"])
    built = datetime.fromtimestamp(final.stat().st_mtime, UTC)
    return {
        "channel": channel,
        "video": video,
        "title": spec["title"],
        "built": built.isoformat(timespec="seconds"),
        "day": built.date().isoformat(),
        "duration": round(media_duration(final), 3),
        "preset": spec["preset"],
        "encoder": spec["encoder"],
        "engines": sorted(engines),
        "voices": sorted(voices),
        "speech_fallbacks": speech_fallbacks,
        "wall_seconds": round(sum(s["seconds"] for s in stages.values()), 3),
        "stages": stages,
        "cache": {
            "jobs": sum(stages[s]["jobs"] for s in CACHED_STAGES),
            "hits": sum(stages[s]["cache_hits"] for s in CACHED_STAGES),
        },
        "images": images,
        "writer": writer_cost(spec.get("writer", {}), _written_from_cache(files)),
        "segments": segments,
        "credits": credits,  # stock footage: provider, author, page url, licence
        "credits_line": credits_line(credits),  # for the upload's description, if wanted
    }


def credits_line(credits: list[dict]) -> str:
    """One line for a description: each author once, with their provider, in video order."""
    names = dict.fromkeys(
        f"{c['author'] or 'unknown'} ({c['provider'].capitalize()})" for c in credits
    )
    return f"Footage: {', '.join(names)}" if names else ""


def _written_from_cache(files: dict) -> bool:
    """Was the idea's script answered by the between-workflow cache (no LLM call)?"""
    if "written" not in files or not Path(files["written"]).exists():
        return False
    return job_from_log(Path(files["write_log"]), Path(files["written"]))[0]


def writer_cost(writer: dict, cached: bool = False) -> dict:
    """Tokens the LLM counted for a written script, priced per million (none for a script
    a person wrote). A script the cache answered cost nothing this time: its price is
    `saved`, as for images."""
    tokens = writer.get("tokens", {})
    used = {"input": tokens.get("input", 0), "output": tokens.get("output", 0)}
    price = writer.get("price_per_million", {})
    cost = round(sum(used[kind] * price.get(kind, 0) for kind in used) / 1e6, 6)
    return {
        "model": writer.get("model", ""),
        "tokens": used,
        "cached": cached,
        "price_per_million": {kind: price.get(kind, 0) for kind in used},
        "currency": writer.get("currency", "USD"),
        "cost": 0 if cached else cost,
        "saved": cost if cached else 0,
    }


def evict_fallbacks(files: dict, segments: list[str]) -> list[str]:
    """Remove the cache entries of fallback cards, so the next run asks the provider again
    instead of reusing the card forever. Only files the cache put there (symlinks) go."""
    evicted = []
    for segment in segments:
        for kind in ("image", "image_info"):
            path = Path(files["segments"][segment][kind])
            if path.is_symlink():
                path.resolve().unlink(missing_ok=True)
                evicted.append(f"{segment}/{path.name}")
    if evicted:
        log.info("evicted fallback images from the cache: %s", ", ".join(evicted))
    return evicted
