"""Hostile and foreign text, built for real three times (cores 2, cores 1, cores 2 again).

- Injection: shell syntax, quotes, newlines, braces and backslashes in every text field
  and in an image's file name arrive literally where they belong (words.json, the ASS
  file, escaped) and nothing else happens: no marker file that a shell would create,
  nothing written outside results/, logs/ and benchmarks/.
- Unicode, emoji and right-to-left text are valid input and build.
- Determinism: speech, word timings, captions, images and videos are byte-identical
  across runs and across --cores 1 / --cores 2 (x264's thread count is fixed for that).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pysubs2
import pytest
import yaml
from PIL import Image

from .conftest import REPO, Workflow, ffprobe

pytestmark = pytest.mark.slow

VIDEO = "results/ch/v1"
IMAGE_NAME = "my 'photo' $(touch PWNED_file) ; `x` \"y\".png"


def hostile(marker: str, tag: str) -> str:
    """Text that would create a file `marker`_tag (in its working folder) through a shell."""
    return (
        f"Run $(touch {marker}_{tag}) now; then `touch {marker}_{tag}2` && echo 'single' "
        f'"double" | cat > {marker}_{tag}3 {{\\fs300\\c&H0000FF&}} back\\slash \\N break.'
    )


def make_project(root: Path, marker: str) -> Workflow:
    channel = root / "channels" / "ch"
    (channel / "videos").mkdir(parents=True)
    (channel / "assets").mkdir()
    Image.new("RGB", (320, 480), (255, 0, 0)).save(channel / "assets" / IMAGE_NAME)
    settings = {
        "title": f"Channel $(touch {marker}_channel) `x`",
        "voice": {"seed": 11},
        "captions": {"style": "phrase", "max_words": 3},
    }
    script = {
        "title": f"Video \"title\" $(touch {marker}_video);\n'x'",
        "segments": [
            {
                "id": "hostile",
                "title": f"Title $(touch {marker}_title)\nline two `x` {{\\b1}} \\N",
                "text": hostile(marker, "text"),
            },
            {
                "id": "world",
                "title": "Café 🚀 مرحبا",
                "text": "Café naïve 🚀 says مرحبا بالعالم and 你好 to the whole world.",
                "image": f"assets/{IMAGE_NAME}",
                "motion": "pan",
            },
        ],
    }
    dump = {"allow_unicode": True, "sort_keys": False}
    (channel / "channel.yaml").write_text(yaml.safe_dump(settings, **dump), encoding="utf-8")
    (channel / "videos" / "v1.yaml").write_text(yaml.safe_dump(script, **dump), encoding="utf-8")
    config = (REPO / "config.yaml").read_text().replace("preset: production", "preset: draft")
    (root / "config.yaml").write_text(config)
    return Workflow(root)


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """The same project built three times: --cores 2, --cores 1, --cores 2."""
    base = tmp_path_factory.mktemp("bytes")
    marker = "PWNED"
    flows = {}
    for name, cores in [("a", "2"), ("b", "1"), ("c", "2")]:
        flow = make_project(base / name, marker)
        flow.run("--cores", cores)
        flows[name] = flow
    return base, marker, flows


def files(flow: Workflow, pattern: str) -> dict[str, bytes]:
    found = sorted((flow.root / "results").rglob(pattern))
    assert found, pattern
    return {str(p.relative_to(flow.root)): p.read_bytes() for p in found}


@pytest.mark.parametrize(
    "pattern", ["speech.wav", "words.json", "captions.ass", "image.png", "clip.mp4", "v1.mp4"]
)
def test_same_bytes_across_runs_and_cores(builds, pattern):
    _, _, flows = builds
    a, b, c = (files(flows[name], pattern) for name in "abc")
    assert a == c, "two runs with --cores 2"
    assert a == b, "--cores 2 and --cores 1"


def unescape(text: str) -> str:
    return text.replace("\\{", "{").replace("\\}", "}").replace("\\\u2060", "\\")


def test_hostile_text_arrives_literally(builds):
    _, marker, flows = builds
    root = flows["a"].root
    text = " ".join(hostile(marker, "text").split())
    words = json.loads((root / VIDEO / "hostile/words.json").read_text())
    assert " ".join(w["word"] for w in words) == text
    events = pysubs2.load(str(root / VIDEO / "hostile/captions.ass")).events
    # our own tag: a phrase whose widest word is wider than the line is scaled to fit
    raw = " ".join(re.sub(r"^\{\\fscx\d+\\fscy\d+\}", "", event.text) for event in events)
    assert not re.search(r"(?<!\\)[{}]", raw), "user braces never become ASS override tags"
    assert "\\N" not in raw and "\\fs" not in raw.lower(), "nor ASS escapes"
    assert unescape(raw) == text.upper()


def test_unicode_emoji_and_rtl_text_build(builds):
    _, _, flows = builds
    root = flows["a"].root
    text = "Café naïve 🚀 says مرحبا بالعالم and 你好 to the whole world."
    words = json.loads((root / VIDEO / "world/words.json").read_text(encoding="utf-8"))
    assert " ".join(w["word"] for w in words) == text
    events = pysubs2.load(str(root / VIDEO / "world/captions.ass")).events
    assert unescape(" ".join(e.text for e in events)) == text.upper()
    info = ffprobe(root / f"{VIDEO}.mp4")
    assert float(info["format"]["duration"]) > 3


def test_image_with_shell_syntax_in_its_name_is_used(builds):
    _, _, flows = builds
    with Image.open(flows["a"].root / VIDEO / "world/image.png") as image:
        assert image.convert("RGB").getpixel((540, 960)) == (255, 0, 0)


def test_nothing_ran_in_a_shell_and_nothing_escaped_results(builds):
    base, marker, flows = builds
    assert sorted(base.rglob(f"{marker}*")) == []
    for flow in flows.values():
        made = {
            str(p.relative_to(flow.root))
            for p in flow.root.rglob("*")
            if p.is_file() and not p.relative_to(flow.root).parts[0].startswith(".snakemake")
        }
        inputs = {"config.yaml", "channels/ch/channel.yaml", "channels/ch/videos/v1.yaml"}
        inputs.add(f"channels/ch/assets/{IMAGE_NAME}")
        # outputs, logs, the prepared voice model and the between-workflow cache
        allowed = r"((results|logs|benchmarks)/(ch|_models)/|\.snakereel-cache/)"
        outside = {p for p in made - inputs if not re.match(allowed, p)}
        assert outside == set()


def render_command(flow: Workflow, segment: str) -> str:
    log = (flow.root / "logs/ch/v1" / segment / "render.log").read_text()
    command = next(line for line in log.splitlines() if line.startswith("$ "))
    return re.sub(r"\.tmp\d+", ".tmp", command.replace(str(flow.root), "ROOT"))


def test_clips_do_not_depend_on_the_cores(builds):
    """x264's bitstream depends on its thread count, so the render fixes it (two frame
    threads) whatever --cores gives the job: the same command, the same clip bytes."""
    _, _, flows = builds
    for segment in ("hostile", "world"):
        one, two = render_command(flows["b"], segment), render_command(flows["a"], segment)
        assert "-threads 2" in one and one == two
