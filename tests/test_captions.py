import pysubs2
import pytest

from snakereel.captions import build_subs, escape, group_words
from snakereel.schema import validate
from snakereel.words import WordTiming


def style(**changes):
    data = validate({"title": "t", "captions": changes}, "channel", "c.yaml")
    return data["captions"]


def words(*spec):
    return [WordTiming(w, s, e) for w, s, e in spec]


SENTENCE = words(
    ("Start", 0.0, 0.3),
    ("small,", 0.35, 0.7),
    ("stay", 1.2, 1.4),
    ("consistent", 1.45, 1.9),
    ("every", 1.95, 2.2),
    ("day.", 2.25, 2.6),
)


def test_groups_break_at_punctuation_pauses_and_size():
    groups = group_words(SENTENCE, max_words=3, max_chars=18)
    assert [[w.word for w in g.words] for g in groups] == [
        ["Start", "small,"],
        ["stay", "consistent", "every"],
        ["day."],
    ] or [[w.word for w in g.words] for g in groups] == [
        ["Start", "small,"],
        ["stay", "consistent"],
        ["every", "day."],
    ]


def test_no_orphan_when_the_previous_group_has_room():
    groups = group_words(words(("one", 0, 0.2), ("two", 0.25, 0.4), ("three", 0.45, 0.6)), 2, 40)
    assert [len(g.words) for g in groups] == [3]


@pytest.mark.parametrize("kind", ["word", "karaoke", "phrase"])
def test_events_never_overlap_and_cover_speech(kind):
    subs = build_subs(SENTENCE, style(style=kind), duration=3.0)
    events = sorted(subs.events, key=lambda e: e.start)
    assert events
    for before, after in zip(events, events[1:], strict=False):
        assert before.end <= after.start
    assert events[0].start == 0 and events[-1].end >= 2600


def test_karaoke_highlights_the_spoken_word():
    subs = build_subs(SENTENCE, style(style="karaoke", highlight="#FF0000"), duration=3.0)
    at_consistent = [e for e in subs.events if e.start <= 1500 < e.end]
    assert len(at_consistent) == 1
    assert r"{\c&H0000FF&}CONSISTENT{\c&HFFFFFF&}" in at_consistent[0].text


def test_user_text_cannot_inject_ass_code():
    hostile = words((r"{\fs200}big", 0, 0.5), (r"line\Nbreak", 0.5, 1.0))
    subs = build_subs(hostile, style(style="phrase", uppercase=False), duration=1.5)
    text = subs.events[0].text
    assert r"\N" not in text and r"\fs" not in text
    assert escape("a{b}c") == r"a\{b\}c"


def test_positions_use_safe_margins():
    top = build_subs(SENTENCE, style(position="top"), 3.0).styles["Default"]
    bottom = build_subs(SENTENCE, style(position="bottom"), 3.0).styles["Default"]
    assert top.alignment == pysubs2.Alignment.TOP_CENTER and top.marginv >= 200
    assert bottom.alignment == pysubs2.Alignment.BOTTOM_CENTER and bottom.marginv >= 400


@pytest.mark.parametrize(
    ("captions", "field", "message"),
    [
        ({"style": "bold"}, "captions.style", "use one of: word, karaoke, phrase"),
        ({"position": "left"}, "captions.position", "use one of: top, center, bottom"),
        ({"font": "Comic Sans"}, "captions.font", "use one of: Bebas Neue, Montserrat"),
        ({"color": "#FFF"}, "captions.color", "does not match"),
        ({"highlight": "yellow"}, "captions.highlight", "does not match"),
        ({"size": 5}, "captions.size", "less than the minimum"),
        ({"outline": -1}, "captions.outline", "less than the minimum"),
        ({"max_words": 0}, "captions.max_words", "less than the minimum"),
        ({"uppercase": "yes"}, "captions.uppercase", "must be true or false"),
        ({"colour": "#FFFFFF"}, "captions.colour", "did you mean 'color'?"),
    ],
)
def test_bad_styles_are_rejected_naming_the_field(captions, field, message):
    from snakereel.errors import SnakereelError

    with pytest.raises(SnakereelError) as caught:
        validate({"title": "t", "captions": captions}, "channel", "channel.yaml")
    assert caught.value.file == "channel.yaml" and caught.value.field == field
    assert message in caught.value.one_line()


def test_every_font_the_schema_allows_is_shipped():
    from snakereel.fonts import font_file
    from snakereel.schema import schema

    fonts = schema("channel")["$defs"]["captions"]["properties"]["font"]["enum"]
    for family in fonts:
        assert font_file(family).suffix == ".ttf"
