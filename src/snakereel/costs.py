"""`snakereel costs`: sum the per-video metadata (`Layout.video(".json")`) per channel
and per day: videos, seconds of video, wall time, cache hits, image API calls, LLM tokens
of written scripts, money."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from .errors import SnakereelError
from .layout import Layout

HELP = "Sum build time, API calls, LLM tokens, cache hits and money per channel and per day."


def add_arguments(parser) -> None:
    parser.add_argument(
        "project", nargs="?", default=".", type=Path, help="project folder; default: here"
    )
    parser.add_argument("--by", choices=["channel", "day", "both"], default="both")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")


def load(project: Path) -> list[dict]:
    """Every video metadata file of the project, of current scripts or not (money spent)."""
    videos = []
    pattern = Layout().video(".json", channel="*", video="*")
    for path in sorted(Path(project).glob(pattern)):
        try:
            data = json.loads(path.read_text())
        except ValueError:
            raise SnakereelError("not valid JSON", file=path) from None
        if isinstance(data, dict) and {"video", "stages", "images"} <= data.keys():
            videos.append(data)
    return videos


def summarize(videos: list[dict], key: str) -> dict[str, dict]:
    groups: dict[str, dict] = {}
    for video in videos:
        group = groups.setdefault(video[key], _empty())
        _add(group, video)
    return dict(sorted(groups.items()))


def _empty() -> dict:
    return {
        "videos": 0,
        "length_s": 0.0,
        "wall_s": 0.0,
        "speech": [0, 0],
        "image": [0, 0],
        "api_calls": 0,
        "tokens": [0, 0],  # the writer's, in and out
        "cost": defaultdict(float),
    }


def _add(group: dict, video: dict) -> None:
    stages, images = video["stages"], video["images"]
    group["videos"] += 1
    group["length_s"] += video.get("duration", 0)
    group["wall_s"] += video.get("wall_seconds", 0)
    for name, stage in (("speech", "tts"), ("image", "image")):
        group[name][0] += stages[stage].get("cache_hits", 0)
        group[name][1] += stages[stage].get("jobs", 0)
    group["api_calls"] += images.get("api_calls", 0)
    group["cost"][images.get("currency", "USD")] += images.get("cost", 0)
    writer = video.get("writer", {})
    tokens = {} if writer.get("cached") else writer.get("tokens", {})  # spent elsewhere
    group["tokens"][0] += tokens.get("input", 0)
    group["tokens"][1] += tokens.get("output", 0)
    group["cost"][writer.get("currency", "USD")] += writer.get("cost", 0)


def _money(cost: dict) -> str:
    spent = [f"{amount:.2f} {currency}" for currency, amount in sorted(cost.items()) if amount]
    return " + ".join(spent) or "0"


def _row(name: str, group: dict) -> list[str]:
    return [
        name,
        str(group["videos"]),
        f"{group['length_s']:.1f}",
        f"{group['wall_s']:.1f}",
        "{}/{}".format(*group["speech"]),
        "{}/{}".format(*group["image"]),
        str(group["api_calls"]),
        "{}/{}".format(*group["tokens"]),
        _money(group["cost"]),
    ]


def table(title: str, groups: dict[str, dict]) -> str:
    total = _empty()
    for video_group in groups.values():
        for field in ("videos", "length_s", "wall_s", "api_calls"):
            total[field] += video_group[field]
        for field in ("speech", "image", "tokens"):
            total[field] = [a + b for a, b in zip(total[field], video_group[field], strict=True)]
        for currency, amount in video_group["cost"].items():
            total["cost"][currency] += amount
    header = [title, "videos", "video s", "wall s", "speech hits", "image hits", "API calls"]
    header += ["LLM tokens in/out"]
    rows = [header + ["cost"]] + [_row(k, g) for k, g in groups.items()] + [_row("total", total)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) + 1)]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    return "\n".join(lines)


def run(args) -> int:
    videos = load(args.project)
    if not videos:
        raise SnakereelError(
            "no video metadata found", file=args.project, hint="build videos with snakemake first"
        )
    keys = ["channel", "day"] if args.by == "both" else [args.by]
    if args.json:
        out = {
            key: {
                name: {**group, "cost": dict(group["cost"])}
                for name, group in summarize(videos, key).items()
            }
            for key in keys
        }
        print(json.dumps(out, indent=1, sort_keys=True))
        return 0
    print("\n\n".join(table(key, summarize(videos, key)) for key in keys))
    return 0
