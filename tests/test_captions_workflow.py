"""A video may override its channel's caption settings: only its captions and clips rebuild."""

import pytest

from snakereel.project import load_channel

pytestmark = pytest.mark.slow

CHANNEL = "channels/momentum_mindset"
DAY1 = "results/momentum_mindset/day-01/hook"
DAY2 = "results/momentum_mindset/day-02/hook"


def test_video_overrides_caption_style(workflow):
    targets = [f"{DAY1}/captions.ass", f"{DAY2}/captions.ass"]
    workflow.run(*targets)
    assert r"\fscx70" not in (workflow.root / targets[0]).read_text()  # karaoke, no pop-in
    workflow.edit(
        f"{CHANNEL}/videos/day-01.yaml",
        "segments:\n",
        "captions:\n  style: word\n  position: top\nsegments:\n",
    )
    # the render job writes captions and clip together; speech is not redone
    assert workflow.planned_outputs(*targets) == {targets[0], f"{DAY1}/clip.mp4"}
    workflow.run(*targets)
    text = (workflow.root / targets[0]).read_text()
    # word style; top alignment inside the safe area (side margins 140, top 288)
    assert r"\fscx70" in text and ",8,140,140,288," in text
    video = load_channel(workflow.root / CHANNEL).videos["day-01"]
    assert video.captions["style"] == "word" and video.captions["font"] == "Bebas Neue"


def test_bad_override_names_the_video_and_field(workflow):
    workflow.edit(
        f"{CHANNEL}/videos/day-02.yaml", "segments:\n", "captions: {style: huge}\nsegments:\n"
    )
    channel = load_channel(workflow.root / CHANNEL)
    error = channel.errors["day-02"]
    assert error.file.endswith("day-02.yaml") and error.field == "captions.style"
    assert "day-01" in channel.videos
