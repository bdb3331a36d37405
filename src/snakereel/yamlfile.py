"""Safe YAML loading: size and alias limits, UTF-8, and one-line errors with the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import SnakereelError

MAX_YAML_BYTES = 1_000_000  # a script is a few KB; refuse anything that is clearly not one
MAX_YAML_VALUES = 100_000  # after expanding aliases: no "billion laughs"

# libyaml's parser when PyYAML was built with it (its wheels are): much faster, which
# every Snakemake start (a no-op too) pays for each channel, script and schema
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


def check_yaml_file(path: Path) -> None:
    """A YAML syntax error with its line, before Snakemake's own loader sees the file."""
    if Path(path).is_file():
        load_yaml(path)
