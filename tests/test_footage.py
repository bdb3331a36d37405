"""Own footage rendered by real ffmpeg: phone-like sources come out upright, full-frame,
at the preset's size and rate, exactly as long as the narration, without their own sound."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from snakereel.captions import write_captions
from snakereel.errors import SnakereelError
from snakereel.ffmpeg import ffmpeg_exe, stderr_of
from snakereel.fonts import fonts_dir
from snakereel.footage import (
    Source,
    build_footage_command,
    crop_box,
    parse_probe,
    probe,
    render_footage,
)
from snakereel.presets import get_preset
from snakereel.render import build_clip_command, frame_count
from snakereel.words import WordTiming

from .conftest import ffprobe

PRESET = get_preset("draft")
STYLE = {
    "style": "karaoke",
    "font": "Bebas Neue",
    "size": 110,
    "color": "#FFFFFF",
    "highlight": "#FFD23F",
    "outline_color": "#000000",
    "outline": 6,
    "shadow": 2,
    "uppercase": True,
    "position": "top",
    "max_words": 3,
    "max_chars": 18,
}
RED, GREEN, BLUE = (230, 30, 30), (30, 200, 30), (30, 30, 230)


def ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", *args], check=True)


def quadrants(width: int, height: int, rate: int, seconds: float) -> str:
    """An upright test picture: red top-left, green top-right, blue bottom half."""
    return (
        f"color=c=0x1E1EE6:s={width}x{height}:r={rate}:d={seconds},"
        f"drawbox=x=0:y=0:w={width // 2}:h={height // 2}:c=0xE61E1E:t=fill,"
        f"drawbox=x={width // 2}:y=0:w={width - width // 2}:h={height // 2}:c=0x1EC81E:t=fill"
    )


def make_clip(path: Path, width=1280, height=720, *, rate=30, seconds=1.0, vf="", extra=()):
    """The test picture with a loud tone (which must not reach the clip)."""
    args = ["-f", "lavfi", "-i", quadrants(width, height, rate, seconds)]
    args += ["-f", "lavfi", "-i", f"sine=f=440:d={seconds}"]
    if vf:
        args += ["-vf", vf]
    ffmpeg(*args, *extra, "-c:a", "aac", "-shortest", str(path))
    return path


def frame_rgb(path: Path, index: int, width: int, height: int) -> np.ndarray:
    command = [ffmpeg_exe(), "-v", "error", "-i", str(path), "-vf", f"select=eq(n\\,{index})"]
    command += ["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(command, capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(height, width, 3).astype(int)


def near(pixel, colour, tolerance=60) -> bool:
    return all(abs(int(a) - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def render(tmp_path: Path, clip: Path, seconds: float, **options) -> Path:
    speech = tmp_path / "speech.wav"
    ffmpeg("-f", "lavfi", "-i", f"anullsrc=r=22050:cl=mono:d={seconds}", str(speech))
    captions = tmp_path / "captions.ass"
    write_captions([WordTiming("go", 0.1, 0.4)], STYLE, seconds, captions)
    out = tmp_path / "clip.mp4"
    render_footage(
        clip,
        speech,
        captions,
        out,
        duration=seconds,
        preset=options.pop("preset", PRESET),
        encoder="libx264",
        fonts=fonts_dir("Bebas Neue"),
        **options,
    )
    return out


def assert_upright_full_frame(out: Path, seconds: float, preset=PRESET) -> dict:
    info = ffprobe(out)
    video = [s for s in info["streams"] if s["codec_type"] == "video"]
    assert len(video) == 1
    stream = video[0]
    assert (stream["width"], stream["height"]) == (preset.width, preset.height)
    assert stream["pix_fmt"] == "yuv420p"
    assert int(stream["nb_frames"]) == frame_count(seconds, preset.fps)
    w, h = preset.width, preset.height
    for index in (0, frame_count(seconds, preset.fps) - 1):
        frame = frame_rgb(out, index, w, h)
        # the caption sits at the top centre; sample beside and below it
        assert near(frame[h * 2 // 5, w // 8], RED), frame[h * 2 // 5, w // 8]
        assert near(frame[h * 2 // 5, w * 7 // 8], GREEN), frame[h * 2 // 5, w * 7 // 8]
        assert near(frame[h * 3 // 4, w // 2], BLUE)
        for y, x in ((2, 2), (2, w - 3), (h - 3, 2), (h - 3, w - 3)):  # no black border
            assert frame[y, x].sum() > 120, (y, x, frame[y, x])
    return stream


def max_volume(path: Path) -> float:
    text = stderr_of(["-i", str(path), "-map", "0:a", "-af", "volumedetect", "-f", "null", "-"])
    return float(text.split("max_volume:")[1].split("dB")[0])


def test_landscape_60fps_with_sound_is_cropped_trimmed_and_silent(tmp_path):
    clip = make_clip(tmp_path / "land.mp4", 1280, 720, rate=60, seconds=3)
    out = render(tmp_path, clip, 1.7)
    stream = assert_upright_full_frame(out, 1.7)
    assert stream["r_frame_rate"] == f"{PRESET.fps}/1"
    assert max_volume(out) < -80  # the narration (silence), not the clip's tone


def test_rotated_phone_clip_comes_out_upright(tmp_path):
    # stored sideways (turned clockwise), with a display matrix that turns it back
    stored = make_clip(tmp_path / "stored.mp4", 720, 1280, vf="transpose=clock")
    rotated = tmp_path / "rotated.mp4"
    ffmpeg("-display_rotation:v:0", "90", "-i", str(stored), "-c", "copy", str(rotated))
    source = probe(rotated)
    assert (source.width, source.height, source.rotation) == (720, 1280, 90)
    assert_upright_full_frame(render(tmp_path, rotated, 0.8), 0.8)


def test_variable_frame_rate_becomes_constant(tmp_path):
    clip = make_clip(
        tmp_path / "vfr.mp4",
        rate=60,
        seconds=2,
        vf="select='not(mod(n\\,3))+not(mod(n\\,7))'",
        extra=("-fps_mode", "vfr"),
    )
    out = render(tmp_path, clip, 1.5)
    stream = assert_upright_full_frame(out, 1.5)
    assert stream["r_frame_rate"] == stream["avg_frame_rate"] == f"{PRESET.fps}/1"


@pytest.mark.parametrize("transfer", ["bt709", "smpte2084"])
def test_ten_bit_and_hdr_become_8_bit_bt709(tmp_path, transfer):
    tags = f"setparams=color_primaries=bt2020:color_trc={transfer}:colorspace=bt2020nc"
    if transfer == "bt709":
        tags = "setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709"
    clip = make_clip(
        tmp_path / "ten.mp4",
        1920,
        1080,
        vf=f"{tags},format=yuv420p10le",
        extra=("-c:v", "libx264", "-profile:v", "high10"),
    )
    source = probe(clip)
    assert source.pix_fmt == "yuv420p10le" and source.hdr == (transfer == "smpte2084")
    out = render(tmp_path, clip, 0.6)
    stream = assert_upright_full_frame(out, 0.6)
    assert stream.get("color_space", "bt709") == "bt709"


def test_odd_size_source(tmp_path):
    clip = make_clip(tmp_path / "odd.mp4", 721, 1283, extra=("-pix_fmt", "yuv444p"))
    assert_upright_full_frame(render(tmp_path, clip, 0.5), 0.5)


@pytest.mark.parametrize("loop", ["restart", "pingpong"])
def test_short_clip_loops_without_black_or_frozen_frames(tmp_path, loop):
    clip = tmp_path / "short.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x568:r=30:d=0.5", str(clip))
    out = render(tmp_path, clip, 1.6, loop=loop)
    frames = frame_count(1.6, PRESET.fps)
    info = ffprobe(out)
    assert int(info["streams"][0]["nb_frames"]) == frames
    tail = [frame_rgb(out, i, PRESET.width, PRESET.height) for i in range(frames - 4, frames)]
    for frame in tail:
        assert frame.mean() > 30  # never black
    assert any(np.abs(a - b).mean() > 1 for a, b in zip(tail, tail[1:], strict=False))


def test_focus_moves_the_window():
    source = Source(1920, 1080, 5, 30, "yuv420p", "", 0, False)
    assert crop_box(source, 1080, 1920) == (606, 1080, 656, 0)
    assert crop_box(source, 1080, 1920, {"x": 0.0, "y": 0.5})[2] == 0
    assert crop_box(source, 1080, 1920, {"x": 1.0, "y": 0.5})[2] == 1920 - 606
    portrait = Source(1080, 1920, 5, 30, "yuv420p", "", 0, False)
    assert crop_box(portrait, 1080, 1920) == (1080, 1920, 0, 0)
    odd = Source(721, 1283, 5, 30, "yuv420p", "", 0, False)
    width, height, x, y = crop_box(odd, 540, 960)
    assert width % 2 == height % 2 == x % 2 == y % 2 == 0
    assert x + width <= 721 and y + height <= 1283


def test_bad_files_get_one_clear_line(tmp_path):
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(bytes(range(256)) * 12)
    audio = tmp_path / "audio.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=d=0.3", str(audio))
    zero = tmp_path / "zero.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=64x64:d=1", "-frames:v", "0", str(zero))
    huge = tmp_path / "8k.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=s=7680x4320:d=0.04", "-c:v", "libx264", "-preset",
           "ultrafast", str(huge))  # fmt: skip
    expected = {
        tmp_path / "missing.mp4": "file not found",
        corrupt: "corrupt",
        audio: "no video stream",
        zero: "no length",
        huge: "larger than 4K",
    }
    for path, words in expected.items():
        with pytest.raises(SnakereelError) as caught:
            probe(path)
        line = caught.value.one_line()
        assert words in line and str(path) in line and "\n" not in line


def test_parse_probe_reads_old_and_new_rotation_wording():
    text = (
        "  Duration: 00:00:03.50, start: 0.000000, bitrate: 9 kb/s\n"
        "  Stream #0:0[0x1](und): Video: hevc (Main 10) (hvc1 / 0x31637668), "
        "yuv420p10le(tv, bt2020nc/bt2020/arib-std-b67), 3840x2160, 9 kb/s, 59.94 fps, "
        "59.94 tbr, 600 tbn (default)\n"
        "      displaymatrix: rotation of -90.00 degrees\n"
    )
    source = parse_probe(text, "x.mov")
    assert (source.width, source.height, source.rotation) == (2160, 3840, 270)
    assert source.hdr and source.fps == 59.94 and source.duration == 3.5
    assert source.matrix == "bt2020nc"


def test_footage_has_its_own_encoder_settings_and_stills_keep_theirs(tmp_path):
    production = get_preset("production")
    files = (tmp_path / "speech.wav", tmp_path / "captions.ass", tmp_path / "out.mp4")
    source = Source(1920, 1080, 10.0, 30.0, "yuv420p", "", 0, False)
    fonts = fonts_dir("Bebas Neue")
    common = {"duration": 2.0, "preset": production, "encoder": "libx264", "fonts": fonts}
    footage = build_footage_command(tmp_path / "c.mp4", *files, source=source, **common)
    assert "-tune" not in footage
    assert footage[footage.index("-crf") + 1] == "24"
    assert footage[footage.index("-preset") + 1] == "superfast"
    still = build_clip_command(tmp_path / "image.png", *files, motion="kenburns", **common)
    assert still[still.index("-tune") + 1] == "animation"
    assert still[still.index("-crf") + 1] == "23"
