"""docs/configuration.md, generated from the JSON schemas so it never goes stale.

`python -m snakereel.configdoc --write` rewrites it; a test fails when it differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .schema import schema

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
FILES = [
    ("config", "`config.yaml` (the workflow)", "snakemake --config preset=draft"),
    ("channel", "`channels/<channel>/channel.yaml`", "snakereel new <channel>"),
    ("video", "`channels/<channel>/videos/<video>.yaml`", "snakereel new <channel> <video>"),
    ("ideas", "`channels/<channel>/ideas.yaml` (a list)", "snakereel write <channel>"),
]


# Meanings for keys whose schema has no `description` (a schema description wins).
NOTES = {
    "config": {
        "loudness.target_lufs": "Integrated loudness of the final mix (EBU R128), LUFS.",
        "loudness.true_peak": "Highest true peak allowed, dBTP.",
    },
    "channel": {
        "title": "Channel name, shown in `snakereel list` and the report.",
        "voice.noise_scale": "Piper's voice variation; lower is flatter.",
        "voice.noise_w": "Piper's timing variation; lower is more even.",
        "captions.style": "`word`: one word at a time; `karaoke`: a phrase with the spoken "
        "word highlighted; `phrase`: a few words at a time.",
        "captions.font": "Caption font, shipped as a Python package (OFL).",
        "captions.size": "Font size at 1080x1920; scaled for smaller presets.",
        "captions.color": "Text colour.",
        "captions.highlight": "Colour of the spoken word (karaoke).",
        "captions.outline_color": "Outline colour.",
        "captions.outline": "Outline width.",
        "captions.shadow": "Shadow depth.",
        "captions.uppercase": "Show captions in capitals.",
        "captions.position": "Where captions sit on the screen.",
        "captions.max_words": "At most this many words on screen at once.",
        "captions.max_chars": "At most this many characters on one caption line.",
        "images.palette": "Gradient colours of generated cards, top to bottom.",
        "images.accent": "Accent colour of generated cards (glow, title underline).",
        "motion": "Default motion of every segment's image.",
    },
    "ideas": {"ideas": "The ideas, in order: each becomes a video (see docs/writing.md)."},
    "video": {
        "title": "Video title (contact sheet, report); defaults to the file name.",
        "motion": "Motion for this video's segments; overrides the channel's.",
        "segments": "The video's segments, in order.",
        "segments[].text": "What the voice says and the captions show.",
        "segments[].motion": "Motion of this segment's image; overrides the video's.",
    },
}


def _resolve(node: dict, root: dict) -> dict:
    while "$ref" in node:
        target = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _value(value) -> str:
    return "`" + json.dumps(value, ensure_ascii=False) + "`"


def _kind(node: dict, root: dict) -> str:
    if "enum" in node:
        return "one of " + ", ".join(_value(v) for v in node["enum"])
    kind = node.get("type", "")
    if kind == "array":
        items = _resolve(node.get("items", {}), root)
        colour = items.get("pattern", "").startswith("^#")
        what = "colours `#RRGGBB`" if colour else f"{items.get('type', 'item')}s"
        low, high = node.get("minItems"), node.get("maxItems")
        count = f" ({low}..{high})" if low is not None and high is not None else ""
        return f"list of {what}{count}"
    parts = [kind]
    if "minimum" in node or "maximum" in node:
        parts.append(f"{node.get('minimum', '')}..{node.get('maximum', '')}")
    if "pattern" in node and node["pattern"].startswith("^#"):
        parts.append("colour `#RRGGBB`")
    elif "pattern" in node and "A-Za-z0-9" in node["pattern"]:
        parts.append("id: letters, digits, - and _")
    return " ".join(p for p in parts if p)


def rows(node: dict, root: dict, prefix: str = "", required=()) -> list[tuple]:
    node = _resolve(node, root)
    out = []
    for key, child in node.get("properties", {}).items():
        child = _resolve(child, root)
        name = f"{prefix}{key}"
        if child.get("type") == "object" and "properties" in child:
            out += rows(child, root, name + ".", child.get("required", ()))
            continue
        if child.get("type") == "array" and _resolve(child.get("items", {}), root).get(
            "properties"
        ):
            items = _resolve(child["items"], root)
            kind = "list (at least one)" if child.get("minItems") else "list"
            default = "**required**" if key in required else ""
            out.append((name, kind, default, child.get("description", "")))
            out += rows(items, root, name + "[].", items.get("required", ()))
            continue
        default = _value(child["default"]) if "default" in child else ""
        if key in required:
            default = "**required**"
        out.append((name, _kind(child, root), default, child.get("description", "")))
    return out


def render() -> str:
    lines = [
        "# Configuration reference",
        "",
        "Generated from the JSON schemas in `src/snakereel/schemas/` by",
        "`python -m snakereel.configdoc --write`; a test fails when the two disagree.",
        "Every file is validated before anything runs: a mistake stops the run with one line",
        "naming the file and the field. Keys left out take the default shown.",
    ]
    for name, title, example in FILES:
        data = schema(name)
        lines += ["", f"## {title}", "", f"Scaffold or override: `{example}`.", ""]
        lines += ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
        for key, kind, default, text in rows(data, data, required=data.get("required", ())):
            cells = [f"`{key}`", kind, default, text or NOTES[name].get(key, "")]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite {DOC.name}")
    args = parser.parse_args(argv)
    if args.write:
        DOC.write_text(render(), encoding="utf-8")
    else:
        sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
