from pathlib import Path

import pytest

from snakereel.errors import SnakereelError
from snakereel.project import load_channel, text_id
from snakereel.schema import validate
from snakereel.yamlfile import load_yaml


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def channel_with(tmp_path: Path, video: str, channel: str = "title: T\n"):
    write(tmp_path / "ch" / "channel.yaml", channel)
    write(tmp_path / "ch" / "videos" / "v1.yaml", video)
    return load_channel(tmp_path / "ch")


def test_defaults_are_filled():
    data = validate({"title": "x"}, "channel", Path("c.yaml"))
    assert data["voice"]["engine"] == "piper"
    assert data["captions"]["position"] == "center"
    assert data["music"]["volume"] == 0.2


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"title": "x", "captions": {"sise": 3}},
            "c.yaml: captions.sise: unknown key (hint: did you mean 'size'?)",
        ),
        (
            {"title": "x", "voice": {"length_scale": 9}},
            "c.yaml: voice.length_scale: 9 is greater than the maximum of 2.0",
        ),
        (
            {"title": "x", "captions": {"position": "left"}},
            "c.yaml: captions.position: 'left' is not allowed"
            " (hint: use one of: top, center, bottom)",
        ),
        ({}, "c.yaml: title: required field is missing"),
        (
            {"title": "x", "images": {"accent": "yellow"}},
            "c.yaml: images.accent: 'yellow' does not match '^#[0-9A-Fa-f]{6}$'",
        ),
    ],
)
def test_channel_errors_name_file_and_field(data, expected):
    with pytest.raises(SnakereelError) as error:
        validate(data, "channel", Path("c.yaml"))
    assert str(error.value) == expected


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path / "bad.yaml", "title: x\nvoice: [unclosed\n")
    with pytest.raises(SnakereelError, match=r"bad.yaml: line \d+: invalid YAML"):
        load_yaml(path)


def test_yaml_is_loaded_safely(tmp_path):
    path = write(tmp_path / "evil.yaml", "a: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(SnakereelError, match="invalid YAML"):
        load_yaml(path)


def test_broken_video_is_reported_not_raised(tmp_path):
    channel = channel_with(tmp_path, "segments:\n  - text: '   '\n")
    assert channel.videos == {}
    assert "v1.yaml: segments[0].text: must not be empty" in str(channel.errors["v1"])


def test_duplicate_segment_ids(tmp_path):
    channel = channel_with(tmp_path, "segments:\n  - {id: a, text: one}\n  - {id: a, text: two}\n")
    assert "segments[1].id: duplicate segment id 'a'" in str(channel.errors["v1"])


@pytest.mark.parametrize("bad_id", ["../up", "a/b", "-x", "a b", ""])
def test_unsafe_segment_ids_are_refused(tmp_path, bad_id):
    channel = channel_with(tmp_path, f"segments:\n  - {{id: '{bad_id}', text: hi}}\n")
    assert "segments[0].id" in str(channel.errors["v1"])


def test_missing_image_and_escaping_image(tmp_path):
    write(tmp_path / "outside.png", "x")
    channel = channel_with(tmp_path, "segments:\n  - {text: hi, image: ../outside.png}\n")
    assert "segments[0].image: must stay inside the channel folder" in str(channel.errors["v1"])
    channel = channel_with(tmp_path, "segments:\n  - {text: hi, image: nope.png}\n")
    assert "segments[0].image: file not found: nope.png" in str(channel.errors["v1"])


def test_ids_without_id_come_from_text_and_ignore_whitespace(tmp_path):
    channel = channel_with(tmp_path, "segments:\n  - text: Hello  world\n  - text: Second\n")
    video = channel.videos["v1"]
    assert video.segments[0].id == text_id("Hello world")
    assert video.segments[0].text == "Hello world"
    assert video.segments[0].id != video.segments[1].id


def test_example_channel_is_valid():
    channel = load_channel(Path(__file__).resolve().parents[1] / "channels" / "momentum_mindset")
    assert channel.errors == {}
    assert sorted(channel.videos) == ["day-01", "day-02"]
    for video in channel.videos.values():
        assert 5 <= len(video.segments) <= 7
