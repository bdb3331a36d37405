"""Load and validate config.yaml, channel.yaml and video scripts, with one-line errors."""

from __future__ import annotations

import copy
import difflib
import hashlib
import math
import re
import sys
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .checks import check_audio, check_image
from .errors import SnakereelError

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
MAX_YAML_BYTES = 1_000_000  # a script is a few KB; refuse anything that is clearly not one
MAX_YAML_VALUES = 100_000  # after expanding aliases: no "billion laughs"
MAX_SENTENCE = 600  # characters: a longer sentence outgrows the voice model's noise buffer
YAML_TYPES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of keys to values",
}


# libyaml's parser when PyYAML was built with it (its wheels are): 5-10x faster, which
# every Snakemake start (a no-op too) pays for each channel, script and schema
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def schema(name: str) -> dict:
    text = resources.files("snakereel").joinpath(f"schemas/{name}.schema.yaml").read_text()
    return yaml.load(text, Loader=SAFE_LOADER)


def schema_path(name: str) -> Path:
    return Path(str(resources.files("snakereel").joinpath(f"schemas/{name}.schema.yaml")))


def _parse_yaml(text: str, path: Path, loader) -> Any:
    values = _expanded_size(yaml.compose(text, Loader=loader), {})
    if values > MAX_YAML_VALUES:
        raise SnakereelError(
            f"anchors and aliases expand to {values} values",
            file=path,
            hint=f"a script needs far fewer than {MAX_YAML_VALUES}",
        )
    return yaml.load(text, Loader=loader)


def load_yaml(path: Path) -> Any:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            raise SnakereelError(
                f"file is too large ({path.stat().st_size} bytes)",
                file=path,
                hint=f"keep it under {MAX_YAML_BYTES // 1000} KB",
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SnakereelError("file not found", file=path) from None
    except IsADirectoryError:
        raise SnakereelError("is a folder, not a file", file=path) from None
    except UnicodeDecodeError:
        raise SnakereelError("not UTF-8 text", file=path, hint="save it as UTF-8") from None
    try:
        try:
            return _parse_yaml(text, path, SAFE_LOADER)
        except yaml.YAMLError:  # the pure-Python parser words its errors best
            return _parse_yaml(text, path, yaml.SafeLoader)
    except RecursionError:
        raise SnakereelError("nested too deeply", file=path) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f"line {mark.line + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        hint = "indent with spaces, not tabs" if r"'\t'" in problem else ""
        raise SnakereelError(f"invalid YAML: {problem}", file=path, field=line, hint=hint) from None


def _expanded_size(node, seen: dict) -> int:
    """How many values the document has once its aliases are expanded (linear time)."""
    if node is None:
        return 0
    if id(node) not in seen:
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = []
        seen[id(node)] = 1 + sum(_expanded_size(child, seen) for child in children)
    return seen[id(node)]


def or_exit(function, *args):
    """Call `function(*args)`; a user error ends the workflow with its one line."""
    try:
        return function(*args)
    except SnakereelError as error:
        sys.exit(f"snakereel: {error.one_line()}")


def check_yaml_file(path: Path) -> None:
    """A YAML syntax error with its line, before Snakemake's own loader sees the file."""
    if Path(path).is_file():
        load_yaml(path)


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
    if error.validator == "pattern" and (
        field_name.endswith("id") or error.validator_value == SAFE_ID.pattern
    ):
        return field_name, f"{error.instance!r} is not a safe id", "use letters, digits, - and _"
    if error.validator == "minItems" and error.validator_value == 1:
        return field_name, "must not be empty", ""
    if error.validator == "minLength" and error.validator_value == 1:
        return field_name, "must not be empty", ""
    if error.validator == "maxLength":
        return (
            field_name,
            f"is too long ({len(error.instance)} characters, at most {error.validator_value})",
            "split the text into several segments" if field_name.endswith("text") else "",
        )
    if error.validator in ("minItems", "maxItems"):
        bound = "at least" if error.validator == "minItems" else "at most"
        count = len(error.instance)
        return field_name, f"has {count} items, needs {bound} {error.validator_value}", ""
    if error.validator == "type":
        expected = error.validator_value
        expected = [expected] if isinstance(expected, str) else expected
        wanted = " or ".join(YAML_TYPES.get(t, t) for t in expected)
        return field_name, f"must be {wanted}, not {_yaml_kind(error.instance)}", ""
    message = error.message
    return field_name, message if len(message) <= 200 else message[:197] + "...", ""


def _yaml_kind(value) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, (int, float)):
        return f"{value} (a number)"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"{shown!r} (text)"
    return "a list" if isinstance(value, list) else "a mapping"


def _non_finite(data, path=()):
    """The first NaN or infinity (YAML .nan / .inf), which range checks cannot catch."""
    if isinstance(data, float) and not math.isfinite(data):
        return path
    if isinstance(data, dict):
        items = data.items()
    else:
        items = enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found = _non_finite(value, (*path, key))
        if found is not None:
            return found
    return None


def _with_defaults(validator_class):
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema_):
        if isinstance(instance, dict):
            for key, sub in properties.items():
                if "default" in sub and key not in instance:
                    instance[key] = copy.deepcopy(sub["default"])
        yield from validate_properties(validator, properties, instance, schema_)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


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
        raise SnakereelError(
            f"expected a mapping of keys to values, not {_yaml_kind(data)}", file=path
        )
    errors = sorted(_validator(name).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        field_name, message, hint = _describe(errors[0])
        raise SnakereelError(message, file=path, field=field_name, hint=hint)
    # After the schema: every value is then a typed leaf, so this walk stays small.
    bad_number = _non_finite(data)
    if bad_number is not None:
        raise SnakereelError("must be a finite number", file=path, field=_field_name(bad_number))
    return data


@dataclass(frozen=True)
class Segment:
    id: str
    text: str
    title: str = ""
    image: str = ""
    image_prompt: str = ""
    motion: str = "kenburns"
    audio: str = ""  # a recorded take, relative to the channel folder
    image_source: str = "card"  # resolved: file | card | http
    voice: dict = field(default_factory=dict)  # merged voice settings when overridden


@dataclass
class Video:
    channel: str
    id: str
    path: Path
    title: str
    segments: list[Segment]
    captions: dict = field(default_factory=dict)  # the channel's, with this video's overrides

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
        _check_text(raw["text"], path, f"segments[{index}].text")
        if raw.get("image"):
            image = _check_asset(channel, raw["image"], path, f"segments[{index}].image")
            check_image(image, file=path, field=f"segments[{index}].image")
        if raw.get("audio"):
            _check_asset(channel, raw["audio"], path, f"segments[{index}].audio")
        source = _image_source(channel, raw, path, index)
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
                audio=raw.get("audio", ""),
                image_source=source,
                voice=voice,
            )
        )
    captions = {**channel.settings["captions"], **data.get("captions", {})}
    captions = validate({"title": "-", "captions": captions}, "channel", path)["captions"]
    return Video(channel.id, video_id, path, data.get("title", video_id), segments, captions)


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
    """An unknown voice fails here, not in the first speech job."""
    if voice.get("engine") != "piper":
        return
    from .tts.piper import resolve_voice

    try:
        resolve_voice(voice["voice"])
    except SnakereelError as error:
        raise SnakereelError(
            error.message, file=path, field="voice.voice", hint=error.hint
        ) from None


def _safe_key(name: str) -> str:
    """A wildcard-safe stand-in for a file name that is not a safe id."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_-")[:60] or "video"


def _image_source(channel: Channel, raw: dict, path: Path, index: int) -> str:
    """The segment's image source: its own image_source, a file, or the channel's."""
    images = channel.settings["images"]
    source = raw.get("image_source") or ("file" if raw.get("image") else images["source"])
    if (source == "file") != bool(raw.get("image")):
        raise SnakereelError(
            "image_source 'file' goes with image: (and only with it)",
            file=path,
            field=f"segments[{index}].image_source",
        )
    if source == "http" and "http" not in images:
        overridden = bool(raw.get("image_source"))
        raise SnakereelError(
            "the http image source needs images.http (base_url, model) in channel.yaml",
            file=path if overridden else channel.path,
            field=f"segments[{index}].image_source" if overridden else "images.http",
        )
    return source


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
    _check_voice(settings["voice"], path)
    if settings["music"].get("file"):
        music = _check_asset(channel, settings["music"]["file"], path, "music.file")
        check_audio(music, file=path, field="music.file")
    for video_path in sorted((channel.folder / "videos").glob("*.yaml")):
        try:
            video = load_video(channel, video_path)
            channel.videos[video.id] = video
        except SnakereelError as error:
            key = video_path.stem if SAFE_ID.match(video_path.stem) else _safe_key(video_path.stem)
            channel.errors[key + ("-invalid" if key in channel.errors else "")] = error
    return channel


def load_channels(channels_dir: Path, wanted: list[str] | None = None) -> dict[str, Channel]:
    channels_dir = Path(channels_dir)
    if not channels_dir.is_dir():
        raise SnakereelError("channels folder not found", file=channels_dir)
    found = sorted(p.parent.name for p in channels_dir.glob("*/channel.yaml"))
    for name in wanted or []:
        if name not in found:
            raise SnakereelError(
                f"channel '{name}' not found in {channels_dir}",
                file="config.yaml",
                field="channels",
                hint=f"channels found: {', '.join(found) or 'none'}",
            )
    return {name: load_channel(channels_dir / name) for name in wanted or found}
