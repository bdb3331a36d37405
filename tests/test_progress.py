"""A long ffmpeg job writes its progress into its log while it runs."""

import re

import pytest

from snakereel import ffmpeg
from snakereel.errors import SnakereelError
from snakereel.progress import progress_line


def test_progress_line_parses_ffmpeg_stats():
    stats = (
        b"frame=   81 fps= 40 q=29.0 size=  256KiB time=00:00:02.70 bitrate= 7.8kbits/s speed=1.35x"
    )
    assert progress_line(stats, 6.75) == "progress: 40% (2.7 of 6.8 s), speed 1.35x"
    assert progress_line(stats, None) == "progress: 2.7 s, speed 1.35x"


def test_render_log_shows_progress_while_encoding(tmp_path):
    log = tmp_path / "render.log"
    out = tmp_path / "out.mp4"
    # -re reads the input in real time: a 2.5 s encode, like a long render in miniature.
    args = ["-re", "-f", "lavfi", "-i", "testsrc=s=160x284:r=24:d=2.5"]
    ffmpeg.run([*args, "-c:v", "libx264", "-preset", "ultrafast", str(out)], log=log, total=2.5)
    text = log.read_text()
    assert text.startswith("$ ") and "Output #0, mp4" in text
    percents = [int(p) for p in re.findall(r"^progress: (\d+)% \(", text, re.M)]
    assert len(percents) >= 2, text
    assert percents == sorted(percents) and percents[-1] == 100 and percents[0] < 100
    assert "\r" not in text


def test_failure_keeps_the_error_in_the_message_and_log(tmp_path):
    log = tmp_path / "fail.log"
    with pytest.raises(SnakereelError, match="ffmpeg failed: .*no-such-file"):
        ffmpeg.run(["-i", str(tmp_path / "no-such-file.wav"), str(tmp_path / "x.mp4")], log=log)
    assert "no-such-file" in log.read_text()
