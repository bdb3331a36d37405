"""Real snakemake runs on a copy of the example channel: what reruns after each kind of edit."""

import pytest

from snakereel.mp4 import inspect
from snakereel.platforms import platform, upload_items

from .conftest import ffprobe, loudness

pytestmark = pytest.mark.slow

VIDEO = "results/momentum_mindset/day-01"
SEGMENTS = ["hook", "two-minutes", "identity", "chain", "bad-days", "close"]


def segment_outputs(segment, *names):
    return {f"{VIDEO}/{segment}/{name}" for name in names}


FINAL = {
    f"{VIDEO}.mp4",
    f"{VIDEO}.contact.png",
    f"{VIDEO}.page",
    f"{VIDEO}.json",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One draft build of day-01, shared by the incremental tests (each works on a copy)."""
    import shutil

    from .conftest import EXAMPLE, REPO, Workflow

    root = tmp_path_factory.mktemp("built") / "project"
    shutil.copytree(EXAMPLE, root / "channels" / EXAMPLE.name)
    (root / "channels" / EXAMPLE.name / "videos" / "day-02.yaml").unlink()
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    flow = Workflow(root)
    flow.edit("config.yaml", "preset: production", "preset: draft")
    flow.run()
    return flow


@pytest.fixture
def project(built, tmp_path):
    import shutil

    from .conftest import Workflow

    root = tmp_path / "copy"
    shutil.copytree(built.root, root, symlinks=True)
    return Workflow(root)


def test_full_build_then_nothing_to_do(project):
    assert (project.root / f"{VIDEO}.mp4").is_file()
    assert project.planned_outputs() == set()


def test_editing_one_sentence_rebuilds_that_segment_and_the_merge(project):
    project.edit("channels/momentum_mindset/videos/day-01.yaml", "one page", "two pages")
    assert project.planned_outputs() == (
        segment_outputs(
            "two-minutes", "speech.wav", "words.json", "speech.json", "captions.ass", "clip.mp4"
        )
        | FINAL
    )


def test_caption_style_rebuilds_captions_and_clips_not_speech(project):
    project.edit("channels/momentum_mindset/channel.yaml", "position: center", "position: top")
    expected = set(FINAL)
    for segment in SEGMENTS:
        expected |= segment_outputs(segment, "captions.ass", "clip.mp4")
    assert project.planned_outputs() == expected


def test_music_volume_reruns_only_the_mix(project):
    project.edit("channels/momentum_mindset/channel.yaml", "volume: 0.2", "volume: 0.1")
    assert project.planned_outputs() == {f"{VIDEO}.mp4", f"{VIDEO}.page", f"{VIDEO}.json"}


def test_inserting_a_segment_builds_only_it_and_the_merge(project):
    project.edit(
        "channels/momentum_mindset/videos/day-01.yaml",
        "  - id: chain\n",
        "  - id: extra\n    text: A brand new sentence in the middle.\n  - id: chain\n",
    )
    planned = project.planned_outputs()
    assert planned == (
        segment_outputs(
            "extra",
            "speech.wav",
            "words.json",
            "speech.json",
            "captions.ass",
            "image.png",
            "image.json",
            "clip.mp4",
        )
        | FINAL
    )
    project.run()
    assert project.planned_outputs() == set()


def test_preset_on_the_command_line(project):
    planned = project.planned_outputs("--config", "preset=preview")
    expected = set(FINAL)
    for segment in SEGMENTS:  # the render job writes the captions with the clip
        expected |= segment_outputs(segment, "captions.ass", "clip.mp4")
    assert planned == expected


def test_broken_video_fails_alone(project):
    videos = project.root / "channels/momentum_mindset/videos"
    (videos / "broken.yaml").write_text("segments:\n  - {text: hi, colour: red}\n")
    done = project.run("--keep-going", check=False)
    assert done.returncode != 0
    assert "broken.yaml: segments[0].colour: unknown key" in done.stderr + done.stdout
    assert not (project.root / "results/momentum_mindset/broken.mp4").exists()
    assert (project.root / f"{VIDEO}.mp4").is_file()


def test_production_video_end_to_end(workflow):
    (workflow.root / "channels/momentum_mindset/videos/day-01.yaml").unlink()
    workflow.run()
    final = workflow.root / "results/momentum_mindset/day-02.mp4"
    info = ffprobe(final)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 1080, 1920)
    assert video["avg_frame_rate"] == "30/1" and video["pix_fmt"] == "yuv420p"
    assert audio["codec_name"] == "aac"
    clips = sorted((workflow.root / "results/momentum_mindset/day-02").glob("*/clip.mp4"))
    assert len(clips) == 6
    total = sum(float(ffprobe(c)["streams"][0]["duration"]) for c in clips)
    assert abs(float(info["format"]["duration"]) - total) <= 0.05
    assert 30 <= total <= 60
    integrated, peak = loudness(final)
    assert abs(integrated + 14) <= 1 and peak <= -1
    assert_upload_ready(final, info)


def assert_upload_ready(final, info) -> None:
    """YouTube's recommended upload settings, item by item, on the joined final."""
    facts = inspect(final)
    assert not facts.has_edit_list and facts.faststart
    video = facts.video
    assert video.max_keyframe_interval <= 15 and video.closed_gops  # half a second at 30 fps
    assert video.max_consecutive_b <= 2 and video.cabac and video.progressive
    assert (video.profile, video.chroma, video.colour) == ("high", "4:2:0", ("bt709",) * 3)
    assert video.bitrate <= 8_000_000
    assert (facts.audio.codec, facts.audio.sample_rate, facts.audio.channels) == (
        "aac-lc",
        48000,
        2,
    )
    stream = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (stream["color_space"], stream["color_primaries"], stream["color_transfer"]) == (
        "bt709",
        "bt709",
        "bt709",
    )
    assert stream["field_order"] == "progressive" and stream["profile"] == "High"
    assert [item.name for item in upload_items(facts, platform("youtube")) if not item.ok] == []
