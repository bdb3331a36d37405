"""`snakereel new`: a channel, or a video script, that validates and builds as is."""

from __future__ import annotations

from pathlib import Path

from .config import SAFE_ID, load_channel, load_video, load_yaml, validate
from .errors import SnakereelError
from .io import write_text_atomic

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


def project_config(project: Path) -> dict:
    """The project's config.yaml with defaults filled in (defaults alone if it has none)."""
    config_path = project / "config.yaml"
    data = load_yaml(config_path) if config_path.is_file() else {}
    return validate(data, "config", config_path)


def channels_dir(project: Path) -> Path:
    return project / project_config(project)["channels_dir"]


def new_video(channel_folder: Path, video: str) -> Path:
    _check_id(video, "video")
    path = channel_folder / "videos" / f"{video}.yaml"
    if path.exists():
        raise SnakereelError("already exists", file=path, hint="pick another video id")
    write_text_atomic(path, VIDEO_TEMPLATE.format(title=_title(video)))
    load_video(load_channel(channel_folder), path)  # proves the scaffold validates
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
    folder = channels_dir(args.dir) / _check_id(args.channel, "channel")
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
    wanted = project_config(args.dir)["channels"]
    if wanted and args.channel not in wanted:
        print(f"note: config.yaml builds only {', '.join(wanted)}: add {args.channel} to channels")
    target = f"results/{args.channel}/{video}.mp4"
    print(f"next: edit the text, then `snakemake {target} --config preset=draft`")
    return 0
