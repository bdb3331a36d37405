"""Load-time checks, without Snakemake: boundaries of the limits and the media probes."""

from pathlib import Path

import pytest

from snakereel.checks import check_audio, check_image
from snakereel.errors import SnakereelError
from snakereel.music import write_music
from snakereel.project import MAX_SENTENCE, load_channel
from snakereel.schema import validate

from .test_robustness_catalogue import make_assets


@pytest.fixture(scope="module")
def assets(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("assets")
    make_assets(folder)
    return folder


@pytest.mark.parametrize("name", ["photo.png", "noise.png", "noise.jpg"])
def test_good_images_pass(assets, name):
    check_image(assets / name, file="v.yaml", field="image")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bomb.png", "image bomb.png is too large (8000x8000)"),
        ("tiny.png", "image tiny.png is too small (10x10)"),
        ("cut.png", "cut.png is not a readable image"),
        ("cut.jpg", "cut.jpg is not a readable image"),
        ("notes.png", "notes.png is not a readable image (unknown format)"),
        ("music.wav", "music.wav is not a readable image (unknown format)"),
    ],
)
def test_bad_images_fail_with_file_and_field(assets, name, message):
    with pytest.raises(SnakereelError) as error:
        check_image(assets / name, file="v.yaml", field="segments[0].image")
    assert str(error.value).startswith(f"v.yaml: segments[0].image: {message}")


def test_generated_music_is_audio_and_text_is_not(assets, tmp_path):
    write_music(tmp_path / "track.wav", seed=1)
    check_audio(tmp_path / "track.wav", file="c.yaml", field="music.file")
    check_audio(assets / "music.wav", file="c.yaml", field="music.file")
    for name in ("song.mp3", "empty.wav", "photo.png"):
        with pytest.raises(SnakereelError, match=f"c.yaml: music.file: {name} is not a readable"):
            check_audio(assets / name, file="c.yaml", field="music.file")


def channel_with_text(tmp_path: Path, text: str):
    (tmp_path / "ch/videos").mkdir(parents=True, exist_ok=True)
    (tmp_path / "ch/channel.yaml").write_text("title: T\n")
    (tmp_path / "ch/videos/v.yaml").write_text(f"segments:\n  - text: '{text}'\n")
    return load_channel(tmp_path / "ch")


def test_sentence_limit_is_exact(tmp_path):
    longest = "a" * (MAX_SENTENCE - 1) + "."
    assert channel_with_text(tmp_path, f"{longest} Short one.").errors == {}
    error = channel_with_text(tmp_path, "a" * MAX_SENTENCE + ". Short one.").errors["v"]
    assert f"a sentence is too long ({MAX_SENTENCE + 1} characters" in str(error)


@pytest.mark.parametrize("text", ["Café 🚀", "مرحبا بالعالم", "你好", "3 2 1", "Ça va?"])
def test_unicode_text_is_valid(tmp_path, text):
    assert channel_with_text(tmp_path, text).errors == {}


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_non_finite_numbers_are_refused(value):
    import yaml

    data = yaml.safe_load(f"title: T\nvoice: {{pause: {value}}}\n")
    with pytest.raises(SnakereelError, match=r"c.yaml: voice.pause: "):
        validate(data, "channel", Path("c.yaml"))


def test_yaml_alias_bombs_are_refused(tmp_path):
    """A "billion laughs" file: nine aliases deep, 9**9 values once expanded."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    lines.append("segments: *a8")
    (tmp_path / "ch/videos").mkdir(parents=True)
    (tmp_path / "ch/channel.yaml").write_text("title: T\n")
    (tmp_path / "ch/videos/v.yaml").write_text("\n".join(lines) + "\n")
    error = str(load_channel(tmp_path / "ch").errors["v"])
    assert "v.yaml: anchors and aliases expand to 926177115 values" in error


def test_ordinary_yaml_anchors_still_work(tmp_path):
    (tmp_path / "ch/videos").mkdir(parents=True)
    (tmp_path / "ch/channel.yaml").write_text("title: T\n")
    script = "segments:\n  - {id: a, text: &t Same words.}\n  - {id: b, text: *t}\n"
    (tmp_path / "ch/videos/v.yaml").write_text(script)
    video = load_channel(tmp_path / "ch").videos["v"]
    assert [s.text for s in video.segments] == ["Same words.", "Same words."]
