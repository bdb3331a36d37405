"""Render, join and mix with the real ffmpeg."""

from pathlib import Path

import numpy as np
import pytest

from snakereel.assemble import concat_list, join_voice, mix
from snakereel.captions import write_captions
from snakereel.ffmpeg import media_duration
from snakereel.fonts import fonts_dir
from snakereel.images import load_image_file, make_card, save_png
from snakereel.music import write_music
from snakereel.presets import get_preset
from snakereel.render import build_clip_command, encoder_args, frame_count, render_clip
from snakereel.schema import validate
from snakereel.tts import Speech, WordTiming

from .conftest import ffprobe, loudness


def tone_speech(seconds: float, rate: int = 22050) -> Speech:
    t = np.arange(int(seconds * rate)) / rate
    samples = np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)) * 20000
    return Speech(
        samples.astype(np.int16),
        rate,
        [WordTiming("Hello", 0.1, 0.5), WordTiming("there", 0.6, seconds - 0.1)],
    )


def make_segment(folder: Path, seconds: float) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    speech = tone_speech(seconds)
    speech.save(folder / "speech.wav", folder / "words.json")
    captions = validate({"title": "t"}, "channel", "c.yaml")["captions"]
    write_captions(speech.words, captions, seconds, folder / "captions.ass")
    save_png(make_card(["#000000", "#333333"], "#FFD23F", "Title", "seed"), folder / "image.png")
    return {
        "image": folder / "image.png",
        "speech": folder / "speech.wav",
        "captions": folder / "captions.ass",
        "duration": seconds,
    }


def render_segment(segment: dict, out: Path, preset, motion="static", font="Bebas Neue") -> Path:
    """Render a `make_segment` folder to `out` with libx264."""
    render_clip(
        segment["image"],
        segment["speech"],
        segment["captions"],
        out,
        duration=segment["duration"],
        preset=preset,
        motion=motion,
        encoder="libx264",
        fonts=fonts_dir(font),
    )
    return out


@pytest.mark.parametrize("motion", ["kenburns", "pan", "static"])
def test_render_clip_has_exact_frames_and_audio(tmp_path, motion):
    segment = make_segment(tmp_path / "seg", 1.3)
    out = tmp_path / "seg" / "clip.mp4"
    preset = get_preset("draft")
    render_segment(segment, out, preset, motion)
    info = ffprobe(out)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (540, 960)
    assert int(video["nb_frames"]) == frame_count(1.3, preset.fps)
    assert any(s["codec_type"] == "audio" for s in info["streams"])
    assert not list(out.parent.glob(".*tmp*"))


def test_nvenc_command_line():
    preset = get_preset("production")
    args = encoder_args("h264_nvenc", preset, threads=2)
    assert args[:2] == ["-c:v", "h264_nvenc"]
    assert args[2:4] == ["-preset", "p5"] and "-cq" in args and "libx264" not in args
    command = build_clip_command(
        Path("/x/image.png"),
        Path("/x/speech.wav"),
        Path("/x/captions.ass"),
        Path("/x/clip.mp4"),
        duration=2.0,
        preset=preset,
        motion="kenburns",
        encoder="h264_nvenc",
        fonts=Path("/f"),
    )
    assert command[-1] == "/x/clip.mp4"
    assert command.index("h264_nvenc") < command.index("/x/clip.mp4")
    assert "zoompan" in command[command.index("-filter_complex") + 1]


def test_concat_list_escapes_quotes_and_spaces(tmp_path):
    folder = tmp_path / "it's a dir"
    assert concat_list([folder / "a.mp4"]) == f"file '{tmp_path}/it'\\''s a dir/a.mp4'\n"


def test_concat_and_mix_real_clips(tmp_path):
    folder = tmp_path / "it's a dir"
    preset = get_preset("draft")
    clips, wavs, expected = [], [], 0.0
    for index, seconds in enumerate([1.05, 0.9]):
        segment = make_segment(folder / f"s{index}", seconds)
        clips.append(render_segment(segment, folder / f"s{index}" / "clip.mp4", preset))
        wavs.append(segment["speech"])
        expected += frame_count(seconds, preset.fps) / preset.fps
    assert join_voice(wavs, preset.fps, folder / "voice.wav") == pytest.approx(expected)
    write_music(folder / "music.wav", seed=2)
    final = folder / "final.mp4"
    mix(
        clips,
        wavs,
        folder / "music.wav",
        final,
        fps=preset.fps,
        volume=0.3,
        ducking=True,
        target=-14,
        true_peak=-1,
        audio_bitrate="128k",
    )
    assert abs(media_duration(final) - expected) < 0.05
    integrated, peak = loudness(final)
    assert abs(integrated + 14) <= 1 and peak <= -1


def test_image_file_is_fitted_without_distortion(tmp_path):
    from PIL import Image

    wide = Image.new("RGB", (800, 200), (255, 0, 0))
    wide.paste((0, 0, 255), (350, 0, 450, 200))  # a blue band in the centre
    wide.save(tmp_path / "wide.png")
    fitted = load_image_file(tmp_path / "wide.png")
    assert fitted.size == (1080, 1920)
    assert fitted.getpixel((540, 960)) == (0, 0, 255)


def test_cards_are_deterministic(tmp_path):
    for name in ("a", "b"):
        save_png(
            make_card(["#102030", "#405060"], "#FFD23F", "Same", "seed"), tmp_path / f"{name}.png"
        )
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
