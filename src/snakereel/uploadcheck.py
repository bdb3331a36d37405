"""`snakereel check VIDEO.mp4`: the platform's upload spec, item by item, with what the
file has."""

from __future__ import annotations

from .mp4 import inspect
from .platforms import PLATFORMS, platform, upload_items

HELP = "Check a finished MP4 against a platform's upload settings (YouTube, TikTok, Reels)."


def add_arguments(parser) -> None:
    parser.add_argument("video", help="the MP4 file to check")
    parser.add_argument(
        "--platform", default="youtube", choices=sorted(PLATFORMS), help="default: youtube"
    )


def run(args) -> int:
    target = platform(args.platform)
    items = upload_items(inspect(args.video), target)
    width = max(len(item.name) for item in items)
    for item in items:
        mark = "ok " if item.ok else "NOT"
        wanted = "" if item.ok else f"  (wanted {item.wanted})"
        print(f"{mark} {item.name:<{width}}  {item.measured}{wanted}")
    failed = sum(not item.ok for item in items)
    verdict = f"{failed} item(s) not met" if failed else f"ready for {target.label}"
    print(f"{args.video}: {verdict}")
    return 1 if failed else 0
