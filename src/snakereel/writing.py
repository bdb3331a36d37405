"""`snakereel write CHANNEL [--topic TEXT] [--count N]`: new video scripts from the
channel's LLM (`writer:` in channel.yaml), written to `videos/<id>.yaml` for a person to
review. Without --topic it takes the topics of `writer.topics` the channel has not used."""

from __future__ import annotations

import copy
from pathlib import Path

from .errors import SnakereelError
from .ledger import read_section
from .project import Channel, Project, load_project, make_video, thaw
from .writer import (
    Earlier,
    dump,
    prompt_text,
    remember,
    video_id,
    write,
    write_new,
)
from .writer import _key as same_key

HELP = "write new video scripts with the channel's LLM (writer: in channel.yaml)"
MAX_COUNT = 20


def add_arguments(parser) -> None:
    parser.add_argument("channel", help="the channel's folder name")
    parser.add_argument("--topic", help="what to write about; default: unused writer.topics")
    parser.add_argument(
        "--count", type=int, default=1, help=f"how many scripts (1..{MAX_COUNT}); default 1"
    )
    parser.add_argument(
        "--dir", default=".", type=Path, help="project folder (with config.yaml); default: here"
    )


def used_topics(project: Project, channel: Channel, ledger: dict) -> set[str]:
    """Topics of the channel's scripts (written or ideas to write) and of its ledger."""
    topics = [v.generated.get("topic", "") for v in project.valid_videos() if _of(v, channel)]
    topics += [idea.topic for idea in channel.ideas.values()]
    topics += [record.get("topic", "") for record in ledger.values()]
    return {same_key(topic) for topic in topics if topic}


def pick_topics(settings: dict, used: set[str], count: int, path: Path) -> list[str]:
    fresh = [t for t in dict.fromkeys(settings["topics"]) if same_key(t) not in used]
    if not fresh:
        raise SnakereelError(
            "every topic in writer.topics has been used",
            file=path,
            field="writer.topics",
            hint="add topics, or pass --topic",
        )
    if len(fresh) < count:
        print(f"snakereel: only {len(fresh)} unused topic(s) in writer.topics; writing those")
    return fresh[:count]


def _of(video, channel: Channel) -> bool:
    return video.channel == channel.id


def run(args) -> int:
    if not 1 <= args.count <= MAX_COUNT:
        raise SnakereelError(f"--count must be 1..{MAX_COUNT}")
    project = load_project(args.dir)
    channel = project.channels.get(args.channel)
    if channel is None:
        raise SnakereelError(
            f"no channel '{args.channel}'", hint=f"channels: {', '.join(project.channels)}"
        )
    if "writer" not in channel.settings:
        raise SnakereelError(
            "no writer configured", file=channel.path, field="writer", hint="see docs/writing.md"
        )
    settings = thaw(channel.settings)
    writer = settings["writer"]
    prompt = prompt_text(writer, channel.folder)
    ledger_path = project.root / project.layout.ledger(channel.id)
    ledger = read_section(ledger_path, "writer")
    if args.topic and args.topic.strip():
        topics = [" ".join(args.topic.split())] * args.count
    else:
        used = used_topics(project, channel, ledger)
        topics = pick_topics(writer, used, args.count, channel.path)
    scripts = [(v.title, v.segments[0].text) for v in project.valid_videos() if _of(v, channel)]
    scripts += [(r.get("title", ""), r.get("opening", "")) for r in ledger.values()]
    folder = channel.folder / "videos"
    for topic in topics:
        path, script = _write_one(channel, settings, prompt, topic, Earlier.of(scripts), folder)
        remember(ledger_path, path.stem, script)
        scripts.append((script["title"], script["segments"][0]["text"]))
    return 0


def _write_one(channel: Channel, settings: dict, prompt: str, topic: str, earlier, folder):
    def check(script: dict) -> None:  # the project's own checks, before anything is written
        make_video(channel.id, settings, folder / "check.yaml", copy.deepcopy(script))

    done = write(settings["writer"], prompt, topic, "", earlier, check=check, file=channel.path)

    def taken(name: str) -> bool:
        return (folder / f"{name}.yaml").exists() or name in channel.ideas

    while True:  # a file made meanwhile is never replaced: take the next free id
        path = folder / f"{video_id(done.script['title'], taken)}.yaml"
        if write_new(path, dump(done.script)):
            break
    tokens = done.tokens
    print(
        f"wrote {path}: {done.script['title']!r} "
        f"({len(done.script['segments'])} scenes, {tokens['input']} + {tokens['output']} tokens)"
    )
    return path, done.script
