"""Own clips through the real workflow: the render picks the footage builder, stills keep
their specs, and a broken clip fails its video alone with one line."""

import pytest

from .conftest import ffprobe
from .test_footage import make_clip

pytestmark = pytest.mark.slow

SCRIPT = "channels/momentum_mindset/videos/day-01.yaml"
HOOK = "results/momentum_mindset/day-01/hook"
DRAFT = ("--config", "preset=draft")


def use_clip(workflow, name="clip.mp4", extra=""):
    assets = workflow.root / "channels/momentum_mindset/assets"
    assets.mkdir(exist_ok=True)
    workflow.edit(SCRIPT, "  - id: hook\n", f"  - id: hook\n    video: assets/{name}\n{extra}")
    return assets


def test_own_clip_renders_and_focus_reruns_only_its_segment(workflow):
    assets = use_clip(workflow)
    make_clip(assets / "clip.mp4", 640, 360, seconds=1)
    workflow.run(f"{HOOK}/clip.mp4", *DRAFT)
    stream = ffprobe(workflow.root / HOOK / "clip.mp4")["streams"][0]
    assert (stream["width"], stream["height"]) == (540, 960)
    assert not (workflow.root / HOOK / "image.png").exists()  # no still is made for it
    workflow.edit(
        SCRIPT, "    video: assets/clip.mp4\n", "    video: assets/clip.mp4\n    focus: {x: 0.2}\n"
    )
    planned = workflow.planned_outputs(f"{HOOK}/clip.mp4", *DRAFT)
    assert planned == {f"{HOOK}/clip.mp4", f"{HOOK}/captions.ass"}


def test_broken_clip_fails_its_video_with_one_line(workflow):
    assets = use_clip(workflow, "broken.mp4")
    (assets / "broken.mp4").write_bytes(b"\x00" * 4096)
    other = "results/momentum_mindset/day-02/hook/clip.mp4"
    done = workflow.run(f"{HOOK}/clip.mp4", other, "--keep-going", *DRAFT, check=False)
    assert done.returncode != 0 and (workflow.root / other).exists()  # the rest goes on
    line = f"{SCRIPT}: segment 'hook': "
    assert line in done.stderr and "broken.mp4: not a readable video file" in done.stderr
