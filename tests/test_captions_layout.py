"""Big captions still fit: a phrase takes at most two lines, a long word shrinks to one."""

import numpy as np
import pytest

from snakereel.captions import TWO_LINES, build_subs, group_words, text_measure, write_captions
from snakereel.words import WordTiming

from .test_captions_escape import HEIGHT, WIDTH, libass_frame, style

TEXT = (
    "Consistency compounds quietly: tiny improvements, repeated daily, eventually become "
    "extraordinary results that nobody around you expected"
)


def timed(text: str, per_word: float = 0.3) -> list[WordTiming]:
    return [WordTiming(w, i * per_word, i * per_word + 0.25) for i, w in enumerate(text.split())]


def test_groups_are_measured_against_two_lines():
    big = style(font="Montserrat", size=200, max_words=12, max_chars=60)
    measure = text_measure(big)
    groups = group_words(timed(TEXT), 12, 60, measure)
    assert len(groups) > 3  # the size, not max_words or max_chars, split the text
    for group in groups:  # a single word too wide is shrunk instead (below)
        assert len(group.words) == 1 or measure(" ".join(w.word for w in group.words)) <= TWO_LINES


def line_height(folder, font: str, size: int) -> int:
    one = style(style="phrase", font=font, size=size)
    write_captions([WordTiming("DAY", 0, 1)], one, 1, folder / "one.ass")
    rows = np.nonzero(libass_frame(folder / "one.ass", font, 0.5).max(axis=1) > 128)[0]
    return rows.max() - rows.min()


@pytest.mark.parametrize("font", ["Bebas Neue", "Montserrat"])
@pytest.mark.parametrize("kind", ["phrase", "karaoke"])
def test_big_phrases_take_at_most_two_lines(tmp_path, font, kind):
    big = style(style=kind, font=font, size=200, max_words=12, max_chars=60)
    words = timed(TEXT)
    write_captions(words, big, 12.0, tmp_path / "c.ass")
    # one line's ink, plus one line pitch (libass: the font size) per extra line
    limit = line_height(tmp_path, font, 200) + 1.5 * 200 * HEIGHT / 1920
    events = build_subs(words, big, 12.0).events
    for event in events[:: 3 if kind == "karaoke" else 1]:
        frame = libass_frame(tmp_path / "c.ass", font, (event.start + event.end) / 2000)
        rows, cols = np.nonzero(frame > 128)
        assert rows.max() - rows.min() < limit, event.text  # two lines, not three
        assert cols.min() > 0 and cols.max() < WIDTH - 1


@pytest.mark.parametrize("kind", ["word", "phrase"])
def test_a_word_wider_than_the_frame_shrinks_to_fit(tmp_path, kind):
    huge = style(style=kind, font="Montserrat", size=300)
    write_captions([WordTiming("Incomprehensibilities", 0, 1)], huge, 1.0, tmp_path / "c.ass")
    cols = np.nonzero(libass_frame(tmp_path / "c.ass", "Montserrat", 0.5).max(axis=0) > 128)[0]
    margin = WIDTH * 90 / 1080
    assert cols.min() >= margin - 12 and cols.max() <= WIDTH - margin + 12
