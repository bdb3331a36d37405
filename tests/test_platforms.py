"""Platform readiness: the MP4 reader against ffprobe on files made to differ, YouTube's
reference bitrates, safe zones, and `snakereel check`."""

from __future__ import annotations

import re
import subprocess

import pytest
from imageio_ffmpeg import get_ffmpeg_exe

from snakereel.cli import main
from snakereel.errors import SnakereelError
from snakereel.mp4 import inspect
from snakereel.platforms import platform, reference_bitrate, safe_area, upload_items

from .conftest import ffprobe

PLAIN = ["-c:v", "libx264", "-preset", "superfast", "-profile:v", "high"]
UPLOAD = [
    *["-g", "15", "-bf", "2", "-movflags", "+faststart+negative_cts_offsets"],
    *["-use_editlist", "0", "-vf", "setparams=color_primaries=bt709:color_trc=bt709"],
    *["-colorspace", "bt709"],
]


def make(path, *video_args, rate=48000, channels=2, seconds=3):
    command = [get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi"]
    command += ["-i", f"testsrc2=s=320x240:r=30:d={seconds}", "-f", "lavfi"]
    command += ["-i", f"sine=d={seconds}:r={rate}", *video_args, "-c:a", "aac"]
    subprocess.run([*command, "-ac", str(channels), str(path)], check=True)
    return path


def longest_b_run(path) -> int:
    """The longest run of B-frames in display order, by ffprobe decoding every frame."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "frame=pict_type"]
        + ["-of", "csv=p=0", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return max(map(len, re.findall("B+", re.sub(r"\W", "", out))), default=0)


def test_reader_sees_what_ffprobe_sees(tmp_path):
    facts = inspect(make(tmp_path / "plain.mp4", *PLAIN))
    probe = ffprobe(tmp_path / "plain.mp4")
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    audio = next(s for s in probe["streams"] if s["codec_type"] == "audio")
    assert (facts.video.width, facts.video.height) == (video["width"], video["height"])
    assert facts.video.profile == video["profile"].lower()
    assert facts.video.fps == 30.0 and facts.video.chroma == "4:2:0"
    assert facts.video.max_consecutive_b == longest_b_run(tmp_path / "plain.mp4") == 3
    assert facts.video.max_keyframe_interval == 90  # one keyframe for 3 s
    assert (facts.audio.codec, facts.audio.sample_rate, facts.audio.channels) == (
        "aac-lc",
        int(audio["sample_rate"]),
        audio["channels"],
    )
    assert facts.has_edit_list and not facts.faststart  # ffmpeg's defaults
    assert facts.video.colour == ("", "", "")


def test_upload_settings_pass_every_item(tmp_path):
    facts = inspect(make(tmp_path / "ready.mp4", *PLAIN, *UPLOAD))
    failed = [item for item in upload_items(facts, platform("youtube")) if not item.ok]
    assert failed == []
    assert facts.top_level.index("moov") < facts.top_level.index("mdat")


def test_each_broken_item_is_named(tmp_path):
    open_gop = ["-x264-params", "open-gop=1:keyint=15:bframes=3"]
    made = make(
        tmp_path / "bad.mp4", *PLAIN, *open_gop, "-profile:v", "main", rate=44100, channels=1
    )
    failed = {item.name for item in upload_items(inspect(made), platform("youtube")) if not item.ok}
    assert {
        "container: no edit lists",
        "container: moov before mdat (fast start)",
        "video: H.264 High profile",
        "video: closed GOPs",
        "video: at most 2 consecutive B-frames",
        "video: BT.709 colour",
        "audio: stereo or 5.1",
        "audio: 48 or 96 kHz",
    } <= failed


def test_cavlc_and_length_limit(tmp_path):
    made = make(tmp_path / "cavlc.mp4", *PLAIN, "-coder", "0", seconds=4)
    items = {item.name: item for item in upload_items(inspect(made), platform("youtube"))}
    assert not items["video: CABAC"].ok and items["video: CABAC"].measured == "cavlc"
    short = platform("youtube")
    assert items[f"length within the {short.label} limit"].ok


@pytest.mark.parametrize(
    ("size", "fps", "mbits"),
    [((1080, 1920), 30, 8), ((1920, 1080), 60, 12), ((540, 960), 24, 5), ((720, 1280), 30, 5)],
)
def test_reference_bitrate_by_short_side(size, fps, mbits):
    assert reference_bitrate(*size, fps) == mbits * 1_000_000


def test_safe_area_is_the_union_of_the_platforms():
    left, top, right, bottom = safe_area(1080, 1920)
    # Reels keeps the bottom 35 % and top 14 % clear, TikTok a right rail of ~140 px
    assert top >= 0.14 * 1920 and bottom <= 0.65 * 1920
    assert right <= 1080 - 140 and left >= 140
    assert safe_area(1920, 1080) == (0, 0, 1920, 1080)


def test_unknown_platform_is_one_line():
    with pytest.raises(SnakereelError, match="unknown platform 'vimeo'"):
        platform("vimeo")


def test_check_command(tmp_path, capsys):
    ready = make(tmp_path / "ready.mp4", *PLAIN, *UPLOAD)
    assert main(["check", str(ready), "--platform", "tiktok"]) == 0
    assert "ready for TikTok" in capsys.readouterr().out
    assert main(["check", str(make(tmp_path / "plain.mp4", *PLAIN))]) == 1
    out = capsys.readouterr().out
    assert "NOT video: keyframe at least every half second" in out and "90 frames" in out
    (tmp_path / "text.mp4").write_text("not a video")
    assert main(["check", str(tmp_path / "text.mp4")]) == 1
    assert "text.mp4" in capsys.readouterr().err
