"""Load and validate config.yaml, channel.yaml and video scripts, with one-line errors."""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .errors import SnakereelError

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


@cache
def schema(name: str) -> dict:
    text = resources.files("snakereel").joinpath(f"schemas/{name}.schema.yaml").read_text()
    return yaml.safe_load(text)


def schema_path(name: str) -> Path:
    return Path(str(resources.files("snakereel").joinpath(f"schemas/{name}.schema.yaml")))


def load_yaml(path: Path) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SnakereelError("file not found", file=path) from None
    except UnicodeDecodeError:
        raise SnakereelError("not UTF-8 text", file=path) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f"line {mark.line + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise SnakereelError(f"invalid YAML: {problem}", file=path, field=line) from None


def _field_name(path) -> str:
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "(top level)"


def _describe(error: jsonschema.ValidationError) -> tuple[str, str, str]:
    """Turn a schema error into (field, message, hint)."""
    field_name = _field_name(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        key = unknown[0]
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(allowed)}"
        prefix = "" if field_name == "(top level)" else field_name + "."
        return prefix + key, "unknown key", hint
    if error.validator == "required":
        missing = error.message.split("'")[1]
        prefix = "" if field_name == "(top level)" else field_name + "."
        return prefix + missing, "required field is missing", ""
    if error.validator == "enum":
        allowed = ", ".join(map(str, error.validator_value))
        return field_name, f"{error.instance!r} is not allowed", f"use one of: {allowed}"
    if (
        error.validator == "pattern"
        and isinstance(error.instance, str)
        and not error.instance.strip()
    ):
        return field_name, "must not be empty", ""
    if error.validator == "pattern" and field_name.endswith("id"):
        return field_name, f"{error.instance!r} is not a safe id", "use letters, digits, - and _"
    if error.validator == "minItems" and error.validator_value == 1:
        return field_name, "must not be empty", ""
    return field_name, error.message, ""


def _with_defaults(validator_class):
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema_):
        if isinstance(instance, dict):
            for key, sub in properties.items():
                if "default" in sub and key not in instance:
                    instance[key] = _copy(sub["default"])
        yield from validate_properties(validator, properties, instance, schema_)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


def _copy(value):
    return yaml.safe_load(yaml.safe_dump(value))


@cache
def _validator(name: str):
    schema_ = schema(name)
    cls = jsonschema.validators.validator_for(schema_)
    return _with_defaults(cls)(schema_)


def validate(data: Any, name: str, path: Path) -> dict:
    """Validate `data` against schema `name`, filling defaults; raise the first error."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SnakereelError("expected a mapping of keys to values", file=path)
    errors = sorted(_validator(name).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        field_name, message, hint = _describe(errors[0])
        raise SnakereelError(message, file=path, field=field_name, hint=hint)
    return data


@dataclass(frozen=True)
class Segment:
    id: str
    text: str
    title: str = ""
    image: str = ""
    image_prompt: str = ""
    motion: str = "kenburns"
    voice: dict = field(default_factory=dict)  # merged voice settings when overridden


@dataclass
class Video:
    channel: str
    id: str
    path: Path
    title: str
    segments: list[Segment]

    def segment(self, segment_id: str) -> Segment:
        for segment in self.segments:
            if segment.id == segment_id:
                return segment
        raise SnakereelError(f"no segment '{segment_id}'", file=self.path)


@dataclass
class Channel:
    id: str
    path: Path
    settings: dict
    videos: dict[str, Video] = field(default_factory=dict)
    errors: dict[str, SnakereelError] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.path.parent


def text_id(text: str) -> str:
    """An id derived from the text, so inserting a segment never renames the others."""
    return "t" + hashlib.sha1(" ".join(text.split()).encode()).hexdigest()[:10]


def load_video(channel: Channel, path: Path) -> Video:
    video_id = path.stem
    if not SAFE_ID.match(video_id):
        raise SnakereelError(
            "file name is not a safe id", file=path, hint="rename it to letters, digits, - and _"
        )
    data = validate(load_yaml(path), "video", path)
    motion = data.get("motion", channel.settings["motion"])
    segments, seen = [], {}
    for index, raw in enumerate(data["segments"]):
        segment_id = raw.get("id") or text_id(raw["text"])
        if segment_id in seen:
            raise SnakereelError(
                f"duplicate segment id '{segment_id}' (also segments[{seen[segment_id]}])",
                file=path,
                field=f"segments[{index}].id",
                hint="give each segment its own id",
            )
        seen[segment_id] = index
        if raw.get("image"):
            _check_asset(channel, raw["image"], path, f"segments[{index}].image")
        voice = {}
        if raw.get("voice"):
            from .tts.registry import segment_voice

            field_name = f"segments[{index}].voice"
            voice = segment_voice(channel.settings["voice"], raw["voice"], path, field_name)
        segments.append(
            Segment(
                id=segment_id,
                text=" ".join(raw["text"].split()),
                title=raw.get("title", ""),
                image=raw.get("image", ""),
                image_prompt=raw.get("image_prompt", ""),
                motion=raw.get("motion", motion),
                voice=voice,
            )
        )
    return Video(channel.id, video_id, path, data.get("title", video_id), segments)


def _check_asset(channel: Channel, relative: str, path: Path, field_name: str) -> Path:
    asset = (channel.folder / relative).resolve()
    if not asset.is_relative_to(channel.folder.resolve()):
        raise SnakereelError("must stay inside the channel folder", file=path, field=field_name)
    if not asset.is_file():
        raise SnakereelError(f"file not found: {relative}", file=path, field=field_name)
    return asset


def asset_path(channel: Channel, relative: str) -> Path:
    return _check_asset(channel, relative, channel.path, relative)


def load_channel(folder: Path) -> Channel:
    """Load a channel and its videos; a broken video is kept in `errors`, not raised."""
    path = Path(folder) / "channel.yaml"
    if not SAFE_ID.match(path.parent.name):
        raise SnakereelError("channel folder name is not a safe id", file=path.parent)
    settings = validate(load_yaml(path), "channel", path)
    channel = Channel(path.parent.name, path, settings)
    if settings["music"].get("file"):
        _check_asset(channel, settings["music"]["file"], path, "music.file")
    for video_path in sorted((channel.folder / "videos").glob("*.yaml")):
        try:
            video = load_video(channel, video_path)
            channel.videos[video.id] = video
        except SnakereelError as error:
            channel.errors[video_path.stem] = error
    return channel


def load_channels(channels_dir: Path, wanted: list[str] | None = None) -> dict[str, Channel]:
    channels_dir = Path(channels_dir)
    if not channels_dir.is_dir():
        raise SnakereelError("channels folder not found", file=channels_dir)
    names = wanted or sorted(p.parent.name for p in channels_dir.glob("*/channel.yaml"))
    return {name: load_channel(channels_dir / name) for name in names}
