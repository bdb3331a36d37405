"""Rendered frames show the captions where and when they should be.

Each clip is rendered for real (draft preset, static image) and decoded; the caption is
found as the pixels that differ from the uncaptioned first frames.
"""

import subprocess

import numpy as np
import pytest
from PIL import Image

from snakereel.captions import write_captions
from snakereel.ffmpeg import ffmpeg_exe
from snakereel.images import save_png
from snakereel.platforms import safe_area
from snakereel.presets import get_preset
from snakereel.schema import validate
from snakereel.words import WordTiming

from .test_media import make_segment, render_segment

PRESET = get_preset("draft")
HIGHLIGHT = (255, 210, 63)
WORDS = [  # the first word starts late, so the first frames have no caption
    WordTiming("go", 0.25, 0.55),
    WordTiming("everywhere", 0.6, 1.1),
    WordTiming("now", 1.15, 1.5),
]
SECONDS = 1.7
MIDDLE = [0.45, 0.85, 1.35]  # inside each word, after the word style's 90 ms pop-in


def render_frames(folder, background=(40, 60, 80), **captions) -> np.ndarray:
    """Render a captioned clip; return its frames as an (n, height, width, 3) array."""
    segment = make_segment(folder, SECONDS)
    save_png(Image.new("RGB", (1080, 1920), background), segment["image"])
    style = validate({"title": "t", "captions": captions}, "channel", "c.yaml")["captions"]
    write_captions(WORDS, style, SECONDS, segment["captions"])
    clip = render_segment(segment, folder / "clip.mp4", PRESET, font=style["font"])
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(clip), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, PRESET.height, PRESET.width, 3)


def at(frames: np.ndarray, seconds: float) -> np.ndarray:
    return frames[int(seconds * PRESET.fps)].astype(int)


def caption_mask(frames: np.ndarray, seconds: float) -> np.ndarray:
    """Pixels that differ clearly from the uncaptioned frame (t=0)."""
    return np.abs(at(frames, seconds) - at(frames, 0)).sum(axis=2) > 90


def highlight_mask(frames: np.ndarray, seconds: float) -> np.ndarray:
    near = np.abs(at(frames, seconds) - np.array(HIGHLIGHT)).max(axis=2) < 60
    return near & caption_mask(frames, seconds)


def box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the set pixels."""
    rows, cols = np.nonzero(mask)
    assert rows.size > 200, "no caption found"
    return cols.min(), rows.min(), cols.max(), rows.max()


def check_inside_safe_area(mask: np.ndarray) -> None:
    """The caption's pixels lie where no Shorts, Reels or TikTok interface covers them."""
    left, top, right, bottom = box(mask)
    safe_left, safe_top, safe_right, safe_bottom = safe_area(mask.shape[1], mask.shape[0])
    assert safe_left <= left and right < safe_right and safe_top <= top and bottom < safe_bottom


def check_position(mask: np.ndarray, position: str) -> None:
    left, top, right, bottom = box(mask)
    height, width = mask.shape
    assert abs((left + right) / 2 - width / 2) < width * 0.05  # centred
    check_inside_safe_area(mask)
    centre = (top + bottom) / 2 / height
    if position == "top":
        assert centre < 0.3
    elif position == "center":
        assert 0.4 < centre < 0.6
    else:
        assert centre > 0.5


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    cache = {}

    def get(style, position):
        if (style, position) not in cache:
            folder = tmp_path_factory.mktemp(f"{style}-{position}")
            cache[style, position] = render_frames(
                folder, style=style, position=position, highlight="#FFD23F"
            )
        return cache[style, position]

    return get


@pytest.mark.parametrize("position", ["top", "center", "bottom"])
@pytest.mark.parametrize("style", ["word", "karaoke", "phrase"])
def test_caption_appears_in_its_region(clips, style, position):
    frames = clips(style, position)
    assert not caption_mask(frames, 0.2).any()  # nothing before the first word
    for seconds in MIDDLE:
        check_position(caption_mask(frames, seconds), position)


@pytest.mark.parametrize("position", ["top", "center", "bottom"])
def test_word_style_shows_the_spoken_word(clips, position):
    frames = clips("word", position)
    widths = [box(caption_mask(frames, t))[2] - box(caption_mask(frames, t))[0] for t in MIDDLE]
    go, everywhere, now = widths
    assert everywhere > 2.5 * go and everywhere > 1.8 * now and now > go


@pytest.mark.parametrize("position", ["top", "center", "bottom"])
def test_phrase_style_holds_the_whole_phrase(clips, position):
    frames = clips("phrase", position)
    boxes = [box(caption_mask(frames, t)) for t in MIDDLE]
    assert max(b[0] for b in boxes) - min(b[0] for b in boxes) <= 2
    assert max(b[2] for b in boxes) - min(b[2] for b in boxes) <= 2
    assert not highlight_mask(frames, MIDDLE[1]).any()


@pytest.mark.parametrize("position", ["top", "center", "bottom"])
def test_karaoke_highlights_the_word_being_spoken(clips, position):
    frames = clips("karaoke", position)
    phrase = box(caption_mask(frames, MIDDLE[0]))
    spans = []
    for seconds in MIDDLE:
        left, _, right, _ = box(highlight_mask(frames, seconds))
        assert phrase[0] - 3 <= left and right <= phrase[2] + 3
        spans.append((left, right))
    (go_l, go_r), (every_l, every_r), (now_l, now_r) = spans
    # the highlight moves left to right, one word at a time, and fits each word's width
    assert go_r < every_l and every_r < now_l
    assert every_r - every_l > 2.5 * (go_r - go_l)
    width = phrase[2] - phrase[0]
    assert go_l - phrase[0] < width * 0.05 and phrase[2] - now_r < width * 0.05


def every_event(frames: np.ndarray) -> np.ndarray:
    """Pixels any caption event covers in any frame (the first frame has none)."""
    return (np.abs(frames.astype(int) - frames[0].astype(int)).sum(axis=3) > 90).any(axis=0)


@pytest.mark.parametrize("position", ["top", "center", "bottom"])
@pytest.mark.parametrize("style", ["word", "karaoke", "phrase"])
def test_every_caption_event_stays_in_the_safe_area(clips, style, position):
    check_inside_safe_area(every_event(clips(style, position)))


@pytest.mark.parametrize("position", ["top", "bottom"])
def test_two_line_captions_in_a_large_font_stay_in_the_safe_area(tmp_path, position):
    frames = render_frames(
        tmp_path, style="phrase", position=position, size=150, max_words=4, max_chars=40
    )
    check_inside_safe_area(every_event(frames))


def test_colours_come_out_as_drawn(tmp_path):
    """BT.709 from the RGB image to the decoded frame (a BT.601 conversion shifts this red
    by more than 10), and the highlight drawn by libass in the video's matrix."""
    red = (200, 30, 40)
    frames = render_frames(tmp_path, red, style="karaoke", highlight="#FFD23F")
    assert np.abs(at(frames, 0)[:40, :40] - np.array(red)).max() <= 4
    highlighted = at(frames, MIDDLE[1])[highlight_mask(frames, MIDDLE[1])]
    assert np.abs(np.median(highlighted, axis=0) - np.array(HIGHLIGHT)).max() <= 6
