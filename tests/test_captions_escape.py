"""Hostile text in captions is shown as written: never read as ASS code, never breaks the file."""

import re
import subprocess

import numpy as np
import pysubs2
import pytest

from snakereel.captions import build_subs, escape, write_captions
from snakereel.ffmpeg import ffmpeg_exe
from snakereel.fonts import fonts_dir
from snakereel.schema import validate
from snakereel.words import WordTiming

WIDTH, HEIGHT = 540, 960


def style(**changes):
    return validate({"title": "t", "captions": changes}, "channel", "c.yaml")["captions"]


def one_event(text: str, **changes) -> str:
    subs = build_subs([WordTiming(text, 0.0, 1.0)], style(style="phrase", **changes), 1.0)
    assert len(subs.events) == 1
    return subs.events[0].text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("{\\fs200}big", "\\{\\\u2060fs200\\}big"),
        ("line\\Nbreak", "line\\\u2060Nbreak"),
        ("soft\\nhard\\hspace", "soft\\\u2060nhard\\\u2060hspace"),
        ("\\{not an escape\\}", "\\\u2060\\{not an escape\\\u2060\\}"),
        ("ends with\\", "ends with\\\u2060"),
        ("two\nlines\r\nand\ttab", "two lines and tab"),
        ("emoji 🔥💪 stays", "emoji 🔥💪 stays"),
        ("שלום עולם مرحبا", "שלום עולם مرحبا"),
    ],
)
def test_escape(text, shown):
    assert escape(text) == shown


def test_no_override_block_can_open_and_escapes_survive_uppercase():
    text = one_event("{\\c&H0000FF&\\fs300}a\\nb", uppercase=True)
    text = re.sub(r"^\{\\fscx\d+\\fscy\d+\}", "", text)  # ours: shrinks a too-wide word
    # every brace is escaped; every backslash is followed by the invisible word joiner
    assert text.count("{") == text.count("\\{") and text.count("}") == text.count("\\}")
    assert "\\N" not in text and "\\C" not in text and "\\FS" not in text


def test_karaoke_tags_stay_ours_next_to_hostile_words():
    hostile = [WordTiming("a\\", 0.0, 0.4), WordTiming("}b{", 0.4, 0.8)]
    subs = build_subs(hostile, style(style="karaoke", highlight="#FF0000"), 1.0)
    first, second = (e.text for e in subs.events)
    assert first == "{\\c&H0000FF&}A\\\u2060{\\c&HFFFFFF&} \\}B\\{"
    assert second == "A\\\u2060 {\\c&H0000FF&}\\}B\\{{\\c&HFFFFFF&}"


def test_the_file_stays_one_event_per_line(tmp_path):
    words = [WordTiming("evil\nDialogue: 0,0:00:00.00,9:00:00.00,Default,,0,0,0,,injected", 0, 1)]
    write_captions(words, style(style="word"), 1.0, tmp_path / "c.ass")
    loaded = pysubs2.load(str(tmp_path / "c.ass"))
    assert len(loaded.events) == 1 and loaded.events[0].end == 1000


def render(tmp_path, text: str) -> np.ndarray:
    """What libass draws for one caption event (the same filter the render uses)."""
    write_captions(
        [WordTiming(text, 0, 1)], style(style="phrase", uppercase=False), 1, tmp_path / "c.ass"
    )
    return libass_frame(tmp_path / "c.ass", "Bebas Neue", 0.5)


def libass_frame(ass, font: str, seconds: float) -> np.ndarray:
    """The grey frame libass draws from `ass` at `seconds` on black (the render's filter)."""
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", f"color=black:s={WIDTH}x{HEIGHT}:d=60"]
        + ["-vf", f"subtitles={ass.name}:fontsdir={fonts_dir(font)}"]
        + ["-ss", f"{seconds:.3f}", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True,
        check=True,
        cwd=ass.parent,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(HEIGHT, WIDTH)


def size(frame: np.ndarray) -> tuple[int, int]:
    """(width, height) of what was drawn."""
    rows, cols = np.nonzero(frame > 128)
    assert rows.size, "nothing drawn"
    return cols.max() - cols.min(), rows.max() - rows.min()


@pytest.mark.parametrize(
    ("hostile", "plain"),
    [
        ("{\\fs250}Big", "Big"),  # a size tag would more than double the height
        ("{\\alpha&HFF&}Hidden", "Hidden"),  # a transparency tag would hide the text
        ("{\\pos(10,10)}Moved", "Moved"),  # a position tag would move it to the corner
    ],
)
def test_override_tags_are_drawn_as_text(tmp_path, hostile, plain):
    shown, reference = render(tmp_path, hostile), render(tmp_path, plain)
    (width, height), (ref_width, ref_height) = size(shown), size(reference)
    assert width > ref_width * 1.5  # the tag's characters are drawn
    assert height < ref_height * 1.5  # on one line, at the style's size
    assert abs(np.nonzero(shown > 128)[0].mean() - np.nonzero(reference > 128)[0].mean()) < 20


def test_line_break_codes_are_drawn_as_text(tmp_path):
    for code in ("\\N", "\\n"):
        _, height = size(render(tmp_path, f"one{code}two"))
        _, ref_height = size(render(tmp_path, "onetwo"))
        assert height < ref_height * 1.5


def test_emoji_and_right_to_left_text_render(tmp_path):
    width, _ = size(render(tmp_path, "ok 🔥 שלום مرحبا"))
    ref_width, _ = size(render(tmp_path, "ok"))
    assert width > ref_width * 1.5  # drawn, by a fallback font or as missing-glyph boxes
