"""Aspect ratios (most specific file wins, --config overrides all), length limits, and a
landscape render of the example that reuses its speech."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from snakereel.errors import SnakereelError
from snakereel.presets import PRESETS, get_preset
from snakereel.project import load_project

from .conftest import ffprobe
from .test_config import write

SIZES = {"9:16": (1080, 1920), "16:9": (1920, 1080), "1:1": (1080, 1080)}


@pytest.mark.parametrize("aspect", SIZES)
def test_every_preset_has_every_aspect(aspect):
    assert (get_preset("production", aspect).width, get_preset("production", aspect).height) == (
        SIZES[aspect]
    )
    for name in PRESETS:
        preset = get_preset(name, aspect)
        ratio = SIZES[aspect][0] / SIZES[aspect][1]
        assert abs(preset.width / preset.height - ratio) < 0.01
        assert preset.width % 2 == 0 and preset.height % 2 == 0


def project(tmp_path: Path, config: str = "", channel: str = "", **command_line):
    write(tmp_path / "config.yaml", config)
    write(tmp_path / "channels/ch/channel.yaml", "title: T\n" + channel)
    write(tmp_path / "channels/ch/videos/own.yaml", 'aspect: "16:9"\nsegments: [{text: Hi.}]\n')
    write(tmp_path / "channels/ch/videos/plain.yaml", "segments: [{text: Hello.}]\n")
    from snakereel.project import load_config

    return load_project(tmp_path, load_config(tmp_path), command_line)


def aspects(loaded) -> dict:
    return {video.id: loaded.aspect(video) for video in loaded.valid_videos()}


def test_the_most_specific_file_wins(tmp_path):
    assert aspects(project(tmp_path)) == {"own": "16:9", "plain": "9:16"}
    assert aspects(project(tmp_path, 'aspect: "1:1"\n')) == {"own": "16:9", "plain": "1:1"}
    loaded = project(tmp_path, 'aspect: "1:1"\n', 'aspect: "9:16"\n')
    assert aspects(loaded) == {"own": "16:9", "plain": "9:16"}
    plain = loaded.video("ch", "plain")
    assert (loaded.preset_for(plain).width, loaded.preset_for(plain).height) == (1080, 1920)


def test_the_command_line_overrides_every_file(tmp_path):
    loaded = project(tmp_path, 'aspect: "1:1"\n', aspect="16:9")
    assert aspects(loaded) == {"own": "16:9", "plain": "16:9"}


def test_an_unknown_aspect_in_a_channel_is_one_line(tmp_path):
    with pytest.raises(SnakereelError) as raised:
        project(tmp_path, channel='aspect: "4:3"\n')
    assert raised.value.one_line().startswith(f"{tmp_path}/channels/ch/channel.yaml: aspect:")


def test_a_long_video_is_reported_at_plan_time(tmp_path):
    loaded = project(tmp_path, channel="platforms: [tiktok, reels]\n")
    assert loaded.length_warnings() == []
    sentence = "This sentence has exactly ten words in it, you see. "
    text = "segments:\n" + "".join(f"  - {{id: s{n}, text: '{sentence * 10}'}}\n" for n in range(7))
    write(tmp_path / "channels/ch/videos/long.yaml", text)
    loaded = project(tmp_path, channel="platforms: [tiktok, reels]\n")
    assert not loaded.channels["ch"].errors
    (warning,) = loaded.length_warnings()
    assert "long.yaml" in warning and "longer than the Instagram Reels limit of 180 s" in warning
    assert 190 <= int(warning.split(": ")[1].split(" s")[0]) <= 240  # 700 words, 7 pauses


@pytest.mark.slow
def test_landscape_render_reuses_speech(workflow):
    workflow.edit("config.yaml", "preset: production", "preset: draft")
    (workflow.root / "channels/momentum_mindset/videos/day-01.yaml").unlink()
    workflow.run()
    planned = workflow.planned_outputs("--config", "aspect=16:9")
    assert planned and not any(path.endswith(("speech.wav", "words.json")) for path in planned)
    assert any(path.endswith("image.png") for path in planned)
    workflow.run("--config", "aspect=16:9")
    folder = workflow.root / "results/momentum_mindset/day-02"
    video = ffprobe(folder.with_suffix(".mp4"))["streams"][0]
    assert (video["width"], video["height"]) == (960, 540)
    for image in folder.glob("*/image.png"):
        assert Image.open(image).size == (1920, 1080)
    captions = next(folder.glob("*/captions.ass")).read_text()
    assert "PlayResX: 1920" in captions and "PlayResY: 1080" in captions
    sheet = Image.open(folder.with_suffix(".contact.png"))
    assert sheet.width > sheet.height  # landscape thumbnails
