"""The project: config.yaml, every channel and every video script, loaded and resolved once.

Everything above this layer (the Snakefile's rules, `doctor`, `list`, `costs`, `new`) asks
it; nothing above re-reads YAML. Loading validates each file against its schema, checks
what a schema cannot say (text the voice can take, images and music that decode, a voice
that exists), and resolves every segment's effective settings into immutable objects:

- voice: the segment's `voice:` merged over the channel's;
- captions: the video's `captions:` over the channel's;
- motion: the segment's, else the video's, else the channel's;
- visual: the kind of picture, by one precedence: the segment's `video` (own clip), then
  its `image` (a file), then its `image_source`, then the channel's `images.source`.

A channel's `ideas.yaml` lists topics the workflow writes scripts for (the write rule);
an idea whose id has a script in `videos/` is that script. Written scripts are read from
`results/<channel>/_written/` when asked for, again whenever the write job replaced one.

Choices that need the whole video or the network (picking stock clips, calling a provider)
stay in jobs. Paths come from `layout.Layout`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from .checks import check_audio, check_image
from .errors import SnakereelError
from .layout import Layout
from .platforms import estimated_seconds, length_warning
from .presets import Preset, get_preset
from .schema import SAFE_ID, validate
from .voice import chain_of, model_key, segment_voice
from .yamlfile import load_yaml

FOOTAGE = ("clip", "stock")
CENTRE = {"x": 0.5, "y": 0.5}
MAX_SENTENCE = 600  # characters: a longer sentence outgrows the voice model's noise buffer


def freeze(value):
    """Read-only views of loaded settings: mappings become proxies, lists tuples."""
    if isinstance(value, dict):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(freeze(item) for item in value)
    return value


def thaw(value):
    """Plain dicts and lists again, for JSON and for code that builds on them."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(item) for item in value]
    return value


@dataclass(frozen=True)
class Segment:
    id: str
    text: str
    voice: Mapping  # effective: the segment's override merged over the channel's
    captions: Mapping  # effective: the video's over the channel's
    motion: str
    visual: str  # clip | file | card | http | stock
    title: str = ""
    image: str = ""  # as written, relative to the channel folder
    image_path: str = ""  # resolved, for the image rule's input
    image_prompt: str = ""
    search: str = ""  # stock-footage keywords
    audio_path: str = ""  # a recorded take, resolved
    video: str = ""  # own clip as written, relative to the channel folder
    video_path: str = ""  # resolved, for the render rule's input
    focus: Mapping = field(default_factory=lambda: MappingProxyType(dict(CENTRE)))
    loop: str = "restart"  # restart | pingpong, for clips shorter than the narration

    @property
    def footage(self) -> bool:
        """A moving background (own clip or stock) rather than a still."""
        return self.visual in FOOTAGE


@dataclass(frozen=True)
class Video:
    channel: str
    id: str
    path: Path
    title: str
    segments: tuple[Segment, ...]
    captions: Mapping
    aspect: str = ""  # the script's, else the channel's; "" leaves it to config.yaml
    description: str = ""
    tags: tuple[str, ...] = ()
    publish: bool = False  # a person's approval to upload
    generated: Mapping = field(default_factory=dict)  # how `snakereel write` made it

    def segment(self, segment_id: str) -> Segment:
        for segment in self.segments:
            if segment.id == segment_id:
                return segment
        raise SnakereelError(f"no segment '{segment_id}'", file=self.path)


@dataclass(frozen=True)
class Idea:
    id: str
    topic: str
    notes: str = ""


@dataclass(frozen=True)
class Channel:
    id: str
    path: Path  # channel.yaml
    settings: Mapping
    music_path: str = ""  # the user's track, resolved; "" for the generated one
    videos: Mapping[str, Video] = field(default_factory=dict)  # the scripts in videos/
    errors: Mapping[str, SnakereelError] = field(default_factory=dict)  # broken scripts
    ideas: Mapping[str, Idea] = field(default_factory=dict)  # to write: no script in videos/

    @property
    def folder(self) -> Path:
        return self.path.parent


@dataclass(frozen=True)
class Project:
    config: Mapping
    layout: Layout
    preset: Preset
    channels: Mapping[str, Channel]
    forced_aspect: str = ""  # --config aspect=...: a one-off render that overrides every file
    root: Path = Path(".")
    _written: dict = field(default_factory=dict, compare=False, repr=False)

    def video(self, channel: str, video: str) -> Video:
        if video in self.channels[channel].ideas:
            return self.written(channel, video)
        return self.channels[channel].videos[video]

    def written_path(self, channel: str, video: str) -> Path:
        return self.root / self.layout.written(channel, video)

    def written(self, channel: str, video: str) -> Video:
        """An idea's written script; loaded again when the file was replaced since."""
        path = self.written_path(channel, video)
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise SnakereelError(
                "not written yet", file=path, hint="run snakemake to write it"
            ) from None
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        cached = self._written.get((channel, video))
        if cached is None or cached[0] != stamp:
            settings = thaw(self.channels[channel].settings)
            cached = (stamp, load_video(channel, settings, path))
            self._written[(channel, video)] = cached
        return cached[1]

    def segment(self, channel: str, video: str, segment: str) -> Segment:
        return self.video(channel, video).segment(segment)

    def aspect(self, video: Video) -> str:
        """--config aspect, else the most specific file: the script, channel, config.yaml."""
        return self.forced_aspect or video.aspect or self.config["aspect"]

    def preset_for(self, video: Video) -> Preset:
        return get_preset(self.preset.name, self.aspect(video))

    def length_warnings(self) -> list[str]:
        """Videos whose estimated length is over their channel's strictest platform limit."""
        found = []
        for video in self.valid_videos():
            platforms = self.channels[video.channel].settings["platforms"]
            seconds = estimated_seconds(video.segments)
            found.append(length_warning(str(video.path), seconds, platforms))
        return [warning for warning in found if warning]

    def valid_videos(self) -> list[Video]:
        """The scripts in videos/, then the ideas' scripts written so far."""
        return [
            video for channel in self.channels.values() for video in channel.videos.values()
        ] + [
            self.written(channel.id, idea)
            for channel in self.channels.values()
            for idea in channel.ideas
            if self.written_path(channel.id, idea).is_file()
        ]

    def piper_voices(self) -> dict[str, str]:
        """Every Piper voice some segment speaks with, by model key; a channel with ideas
        to write adds its own voice (its written scripts speak with it)."""
        voices = [segment.voice for video in self.valid_videos() for segment in video.segments]
        voices += [c.settings["voice"] for c in self.channels.values() if c.ideas]
        return {
            model_key(voice["voice"]): voice["voice"]
            for voice in voices
            if "piper" in chain_of(voice)
        }

    def speech_inputs(self, channel: str, segment: Segment) -> dict[str, str]:
        """A recorded take, or what the engine chain needs (prepared Piper model, sample)."""
        if segment.audio_path:
            return {"take": segment.audio_path}
        found = {}
        if "piper" in chain_of(segment.voice):
            found["piper_model"] = self.layout.model(model_key(segment.voice["voice"]))
        sample = voice_sample(self.channels[channel], segment.voice)
        if sample:
            found["sample"] = sample
        return found


def load_config(root: Path) -> dict:
    """The project's config.yaml with defaults filled in (defaults alone if it has none)."""
    path = Path(root) / "config.yaml"
    return validate(load_yaml(path) if path.is_file() else {}, "config", path)


def load_project(
    root: Path | str = ".", config: dict | None = None, command_line: Mapping | None = None
) -> Project:
    """Load the project in `root`; `config` is the validated config when the caller (the
    Snakefile, with --config overrides) already has it, `command_line` the --config
    values themselves (they override every file). A broken video script is kept in its
    channel's `errors`, so the others still build."""
    root = Path(root)
    config = load_config(root) if config is None else config
    layout = Layout(config["channels_dir"])
    channels = _load_channels(layout.at(root) if str(root) != "." else layout, config["channels"])
    forced = (command_line or {}).get("aspect", "")
    return Project(
        freeze(config),
        layout,
        get_preset(config["preset"], config["aspect"]),
        MappingProxyType(channels),
        forced,
        root,
    )


def _load_channels(layout: Layout, wanted: list[str]) -> dict[str, Channel]:
    folder = layout.channels()
    if not folder.is_dir():
        raise SnakereelError("channels folder not found", file=folder)
    found = sorted(p.parent.name for p in folder.glob("*/channel.yaml"))
    for name in wanted:
        if name not in found:
            raise SnakereelError(
                f"channel '{name}' not found in {folder}",
                file="config.yaml",
                field="channels",
                hint=f"channels found: {', '.join(found) or 'none'}",
            )
    return {name: load_channel(layout.channel_folder(name)) for name in wanted or found}


def load_channel(folder: Path) -> Channel:
    """A channel and its videos; a broken video is kept in `errors`, not raised."""
    path = Path(folder) / "channel.yaml"
    if not SAFE_ID.match(path.parent.name):
        raise SnakereelError("channel folder name is not a safe id", file=path.parent)
    settings = validate(load_yaml(path), "channel", path)
    _check_voice(settings["voice"], path)
    if settings.get("writer", {}).get("prompt"):
        _check_asset(path.parent, settings["writer"]["prompt"], path, "writer.prompt")
    music = ""
    if settings["music"].get("file"):
        music = _check_asset(path.parent, settings["music"]["file"], path, "music.file")
        check_audio(music, file=path, field="music.file")
    videos, errors = {}, {}
    for video_path in sorted((path.parent / "videos").glob("*.yaml")):
        try:
            video = load_video(path.parent.name, settings, video_path)
            videos[video.id] = video
        except SnakereelError as error:
            key = video_path.stem if SAFE_ID.match(video_path.stem) else _safe_key(video_path.stem)
            errors[key + ("-invalid" if key in errors else "")] = error
    ideas = {
        idea.id: idea
        for idea in load_ideas(path.parent / "ideas.yaml", settings)
        if idea.id not in videos and idea.id not in errors
    }
    return Channel(
        path.parent.name,
        path,
        freeze(settings),
        str(music) if music else "",
        MappingProxyType(videos),
        MappingProxyType(errors),
        MappingProxyType(ideas),
    )


def load_ideas(path: Path, settings: dict) -> list[Idea]:
    """A channel's ideas.yaml (a list of {id, topic, notes}); none when there is no file."""
    if not path.is_file():
        return []
    data = validate({"ideas": load_yaml(path) or []}, "ideas", path)["ideas"]
    ids: dict[str, int] = {}
    for index, item in enumerate(data):
        if item["id"] in ids:
            raise SnakereelError(
                f"duplicate id '{item['id']}' (also [{ids[item['id']]}])",
                file=path,
                field=f"ideas[{index}].id",
            )
        ids[item["id"]] = index
    if data and "writer" not in settings:
        raise SnakereelError(
            "ideas need a writer: add writer (base_url, model) to channel.yaml",
            file=path.parent / "channel.yaml",
            field="writer",
            hint="see docs/writing.md",
        )
    return [Idea(item["id"], " ".join(item["topic"].split()), item["notes"]) for item in data]


def load_video(channel_id: str, settings: dict, path: Path) -> Video:
    """One video script of a channel whose (validated) settings are given."""
    video_id = path.stem
    if not SAFE_ID.match(video_id):
        raise SnakereelError(
            "file name is not a safe id", file=path, hint="rename it to letters, digits, - and _"
        )
    return make_video(channel_id, settings, path, load_yaml(path))


def make_video(channel_id: str, settings: dict, path: Path, data) -> Video:
    """A video from a script's loaded data (validated here, defaults filled in); `path`
    is where it is (or will be) written, for the id and error messages."""
    video_id = path.stem
    data = validate(data, "video", path)
    captions = {**settings["captions"], **data.get("captions", {})}
    captions = freeze(validate({"title": "-", "captions": captions}, "channel", path)["captions"])
    motion = data.get("motion", settings["motion"])
    segments, seen = [], {}
    for index, raw in enumerate(data["segments"]):
        segment = _segment(settings, raw, path, index, captions, motion)
        if segment.id in seen:
            raise SnakereelError(
                f"duplicate segment id '{segment.id}' (also segments[{seen[segment.id]}])",
                file=path,
                field=f"segments[{index}].id",
                hint="give each segment its own id",
            )
        seen[segment.id] = index
        segments.append(segment)
    title = data.get("title", video_id)
    return Video(
        channel_id,
        video_id,
        path,
        title,
        tuple(segments),
        captions,
        aspect=data.get("aspect", settings.get("aspect", "")),
        description=data.get("description", ""),
        tags=tuple(data.get("tags", ())),
        publish=data.get("publish", False),
        generated=freeze(data.get("generated", {})),
    )


def _segment(settings: dict, raw: dict, path: Path, index: int, captions, motion) -> Segment:
    where = f"segments[{index}]"
    folder = path.parent.parent
    _check_text(raw["text"], path, f"{where}.text")
    image_path = ""
    if raw.get("image"):
        image_path = _check_asset(folder, raw["image"], path, f"{where}.image")
        check_image(image_path, file=path, field=f"{where}.image")
    video_path = ""
    if raw.get("video"):
        video_path = _check_asset(folder, raw["video"], path, f"{where}.video")
    audio_path = ""
    if raw.get("audio"):
        audio_path = _check_asset(folder, raw["audio"], path, f"{where}.audio")
    voice = settings["voice"]
    if raw.get("voice"):
        voice = segment_voice(voice, raw["voice"], path, f"{where}.voice")
    return Segment(
        id=raw.get("id") or text_id(raw["text"]),
        text=" ".join(raw["text"].split()),
        voice=freeze(voice),
        captions=captions,
        motion=raw.get("motion", motion),
        visual=_visual(settings, raw, path, index),
        title=raw.get("title", ""),
        image=raw.get("image", ""),
        image_path=str(image_path) if image_path else "",
        image_prompt=raw.get("image_prompt", ""),
        search=raw.get("search", ""),
        audio_path=str(audio_path) if audio_path else "",
        video=raw.get("video", ""),
        video_path=str(video_path) if video_path else "",
        focus=freeze({**CENTRE, **raw.get("focus", {})}),
        loop=raw.get("loop", "restart"),
    )


def _visual(settings: dict, raw: dict, path: Path, index: int) -> str:
    """The kind of the segment's picture: its own clip, its image file, its image_source,
    the channel's."""
    images = settings["images"]
    if raw.get("video"):
        return "clip"
    source = raw.get("image_source") or ("file" if raw.get("image") else images["source"])
    if (source == "file") != bool(raw.get("image")):
        raise SnakereelError(
            "image_source 'file' goes with image: (and only with it)",
            file=path,
            field=f"segments[{index}].image_source",
        )
    needs = {
        "http": "the http image source needs images.http (base_url, model)",
        "stock": "the stock source needs images.stock (provider)",
    }
    if source in needs and source not in images:
        overridden = bool(raw.get("image_source"))
        raise SnakereelError(
            f"{needs[source]} in channel.yaml",
            file=path if overridden else path.parent.parent / "channel.yaml",
            field=f"segments[{index}].image_source" if overridden else f"images.{source}",
        )
    return source


def text_id(text: str) -> str:
    """An id derived from the text, so inserting a segment never renames the others."""
    return "t" + hashlib.sha1(" ".join(text.split()).encode()).hexdigest()[:10]


def _check_text(text: str, path: Path, field_name: str) -> None:
    """Refuse (never silently split) text the voice cannot say in one go."""
    if not re.search(r"\w", text):
        raise SnakereelError(
            "has no words to speak", file=path, field=field_name, hint="write at least one word"
        )
    longest = max(re.split(r"(?<=[.!?])\s+", " ".join(text.split())), key=len)
    if len(longest) > MAX_SENTENCE:
        raise SnakereelError(
            f"a sentence is too long ({len(longest)} characters, at most {MAX_SENTENCE})",
            file=path,
            field=field_name,
            hint="end sentences with . ! or ?, or split the text into several segments",
        )


def _check_voice(voice: dict, path: Path) -> None:
    """An unknown Piper voice fails here, not in the first speech job."""
    if voice.get("engine") != "piper":
        return
    from .tts.piper import resolve_voice  # lazy: numpy and onnx stay out of a no-op's start

    try:
        resolve_voice(voice["voice"])
    except SnakereelError as error:
        raise SnakereelError(
            error.message, file=path, field="voice.voice", hint=error.hint
        ) from None


def _safe_key(name: str) -> str:
    """A wildcard-safe stand-in for a file name that is not a safe id."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_-")[:60] or "video"


def _check_asset(folder: Path, relative: str, path: Path, field_name: str) -> Path:
    asset = (folder / relative).resolve()
    if not asset.is_relative_to(folder.resolve()):
        raise SnakereelError("must stay inside the channel folder", file=path, field=field_name)
    if not asset.is_file():
        raise SnakereelError(f"file not found: {relative}", file=path, field=field_name)
    return asset


def voice_sample(channel: Channel, voice: Mapping) -> str:
    """The voice sample Chatterbox clones, when the chain uses one and it exists: a missing
    sample is no error here (the chain falls back and the job logs it)."""
    sample = voice.get("chatterbox", {}).get("sample_path")
    if "chatterbox" not in chain_of(voice) or not sample:
        return ""
    try:
        return str(_check_asset(channel.folder, sample, channel.path, "voice.chatterbox"))
    except SnakereelError:
        return ""
