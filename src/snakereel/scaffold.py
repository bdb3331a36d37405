"""`snakereel new`: a channel, or a video script, that validates and builds as is."""

from __future__ import annotations

from pathlib import Path

from .errors import SnakereelError
from .io import write_text_atomic
from .layout import Layout
from .project import load_channel, load_config, load_video
from .schema import SAFE_ID

HELP = "scaffold a channel (new CHANNEL) or a video script (new CHANNEL VIDEO)"
FIRST_VIDEO = "first-video"

CHANNEL_TEMPLATE = """\
# Channel settings. Every key, its default and allowed values: docs/configuration.md.
title: {title}
voice:
  engine: piper
  voice: en_US-joe-medium   # `snakereel doctor` lists the installed voices
  length_scale: 1.0         # speaking pace; larger is slower
  seed: 0                   # same seed, same audio
captions:
  style: karaoke            # word | karaoke | phrase
  font: Bebas Neue          # Bebas Neue | Montserrat
  position: center          # top | center | bottom
images:
  palette: ["#0F2027", "#203A43", "#2C5364"]
  accent: "#FFD23F"
motion: kenburns            # kenburns | pan | static
music:
  volume: 0.2               # 0 mutes; set `file:` to use your own track
"""

VIDEO_TEMPLATE = """\
# One video: an ordered list of segments. Each segment is narrated, captioned and
# shown over its own image. Outputs are keyed by `id`, so editing one segment
# rebuilds only that one. See docs/configuration.md for every key.
title: {title}
segments:
  - id: hook
    title: {title}
    text: Here is the one idea this video is about.
  - id: point
    title: Why it matters
    text: Say it in one or two short sentences.
  - id: close
    title: Your turn
    text: End with one thing the viewer can do today.
"""


def _check_id(value: str, what: str) -> str:
    if not SAFE_ID.match(value):
        raise SnakereelError(
            f"'{value}' is not a safe {what} id", hint="use letters, digits, - and _"
        )
    return value


def _title(identifier: str) -> str:
    return '"' + identifier.replace("-", " ").replace("_", " ").strip().capitalize() + '"'


def new_video(channel_folder: Path, video: str) -> Path:
    _check_id(video, "video")
    path = channel_folder / "videos" / f"{video}.yaml"
    if path.exists():
        raise SnakereelError("already exists", file=path, hint="pick another video id")
    write_text_atomic(path, VIDEO_TEMPLATE.format(title=_title(video)))
    channel = load_channel(channel_folder)
    load_video(channel.id, channel.settings, path)  # proves the scaffold validates
    return path


def new_channel(folder: Path) -> list[Path]:
    _check_id(folder.name, "channel")
    path = folder / "channel.yaml"
    if path.exists():
        raise SnakereelError("channel already exists", file=path, hint="pick another name")
    write_text_atomic(path, CHANNEL_TEMPLATE.format(title=_title(folder.name)))
    return [path, new_video(folder, FIRST_VIDEO)]


def add_arguments(parser) -> None:
    parser.add_argument("channel", help="channel id (folder name under channels/)")
    parser.add_argument("video", nargs="?", help="video id: adds videos/VIDEO.yaml")
    parser.add_argument("--dir", default=".", type=Path, help="project folder; default: here")


def run(args) -> int:
    config = load_config(args.dir)
    layout = Layout(config["channels_dir"])
    folder = layout.at(args.dir).channel_folder(_check_id(args.channel, "channel"))
    if args.video:
        if not (folder / "channel.yaml").is_file():
            raise SnakereelError(
                "channel not found",
                file=folder,
                hint=f"create it first: snakereel new {args.channel}",
            )
        created = [new_video(folder, args.video)]
        video = args.video
    else:
        created = new_channel(folder)
        video = FIRST_VIDEO
    for path in created:
        print(f"created {path}")
    wanted = config["channels"]
    if wanted and args.channel not in wanted:
        print(f"note: config.yaml builds only {', '.join(wanted)}: add {args.channel} to channels")
    target = layout.video(".mp4", args.channel, video)
    print(f"next: edit the text, then `snakemake {target} --config preset=draft`")
    return 0
