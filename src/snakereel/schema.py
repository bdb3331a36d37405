"""JSON-schema validation of config.yaml, channel.yaml and video scripts: defaults filled
in, and the first error worded as one line naming the file and the field."""

from __future__ import annotations

import copy
import difflib
import math
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .errors import SnakereelError
from .yamlfile import SAFE_LOADER

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
YAML_TYPES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of keys to values",
}


@cache
def schema(name: str) -> dict:
    text = resources.files("snakereel").joinpath(f"schemas/{name}.schema.yaml").read_text()
    return yaml.load(text, Loader=SAFE_LOADER)


def schema_path(name: str) -> Path:
    return Path(str(resources.files("snakereel").joinpath(f"schemas/{name}.schema.yaml")))


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


def booleans_from_text(config: dict) -> dict:
    """`--config key=true` arrives as text: top-level booleans of config.yaml's schema
    written as true/false become booleans (anything else is left to validation)."""
    words = {"true": True, "false": False}
    flags = [
        key for key, spec in schema("config")["properties"].items() if spec.get("type") == "boolean"
    ]
    return {
        key: words.get(value.lower(), value) if key in flags and isinstance(value, str) else value
        for key, value in config.items()
    }
