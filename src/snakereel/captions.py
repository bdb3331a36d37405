"""Word timings -> an ASS subtitle file: word, karaoke and phrase styles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pysubs2

from .platforms import safe_area
from .words import WordTiming

# libass scales the canvas to the video size, so captions depend on the aspect, not on the
# preset: the short side is always 1080.
PLAY_RES = (1080, 1920)
ALIGNMENT = {"top": 8, "center": 5, "bottom": 2}
WIDE_MARGINS = (0.08, 0.08)  # landscape and square: of the width, of the height
BREAK_AFTER = (".", ",", "!", "?", ";", ":", "—", "…")
PAUSE_BREAK = 0.35  # seconds of silence that end a caption group
MIN_DURATION = 0.5
TWO_LINES_FACTOR = 1.6  # libass breaks lines between words: two hold less than 2x one
WIDTH_SLACK = 1.25  # libass draws the bold style up to ~20 % wider than the advance widths


@dataclass(frozen=True)
class Canvas:
    """Where captions may go: inside the platforms' safe area on a vertical video."""

    width: int
    height: int

    @property
    def margins(self) -> tuple[int, int, int]:
        """(left and right, top, bottom) in canvas pixels."""
        left, top, _, bottom = safe_area(self.width, self.height)
        if self.width >= self.height:
            side, edge = WIDE_MARGINS
            return round(self.width * side), round(self.height * edge), round(self.height * edge)
        return left, top, self.height - bottom

    @property
    def line_width(self) -> int:
        return self.width - 2 * self.margins[0]

    @property
    def two_lines(self) -> float:
        return TWO_LINES_FACTOR * self.line_width


def canvas_for(width: int, height: int) -> Canvas:
    """The caption canvas of a video size: its aspect, with a short side of 1080."""
    short = min(width, height)
    return Canvas(round(width * 1080 / short), round(height * 1080 / short))


VERTICAL = Canvas(*PLAY_RES)
LINE_WIDTH = VERTICAL.line_width
TWO_LINES = VERTICAL.two_lines


def escape(text: str) -> str:
    """User text, shown as written, never read as ASS code.

    libass reads `\\{` and `\\}` as literal braces, so braces stay braces (no override
    block can open). ASS has no escape for a backslash: a word joiner (U+2060, invisible,
    zero width) after each one breaks `\\N`, `\\n`, `\\h` and a `\\` that would touch our own
    escapes or tags. Line breaks and tabs become spaces: one event is one line of the file.
    """
    text = " ".join(text.split())
    return text.replace("\\", "\\\u2060").replace("{", "\\{").replace("}", "\\}")


def color(hex_rgb: str, alpha: int = 0) -> pysubs2.Color:
    red, green, blue = (int(hex_rgb[i : i + 2], 16) for i in (1, 3, 5))
    return pysubs2.Color(red, green, blue, alpha)


def _ass_color(hex_rgb: str) -> str:
    return f"&H{hex_rgb[5:7]}{hex_rgb[3:5]}{hex_rgb[1:3]}&".upper()


@dataclass
class Group:
    words: list[WordTiming]

    @property
    def start(self) -> float:
        return self.words[0].start

    @property
    def end(self) -> float:
        return self.words[-1].end


def text_measure(style: dict) -> Callable[[str], float]:
    """Estimated width of a caption on the 1080-wide canvas, in pixels (a little over)."""
    from PIL import ImageFont

    from .fonts import font_file

    font = ImageFont.truetype(
        str(font_file(style["font"])), 100, layout_engine=ImageFont.Layout.BASIC
    )
    ascent, descent = font.getmetrics()
    scale = style["size"] / (ascent + descent) * WIDTH_SLACK  # libass: size = ascent + descent
    upper = style["uppercase"]

    def measure(text: str) -> float:
        return font.getlength(text.upper() if upper else text) * scale + 2 * style["outline"]

    return measure


def _fits(words: list[WordTiming], measure, canvas: Canvas) -> bool:
    return measure is None or measure(" ".join(w.word for w in words)) <= canvas.two_lines


def group_words(
    words: list[WordTiming],
    max_words: int,
    max_chars: int,
    measure: Callable[[str], float] | None = None,
    canvas: Canvas = VERTICAL,
) -> list[Group]:
    """Phrases that break at punctuation, pauses and size limits, and fit in two lines."""
    groups: list[Group] = []
    current: list[WordTiming] = []
    for i, word in enumerate(words):
        if current:
            chars = len(" ".join(w.word for w in current + [word]))
            pause = word.start - current[-1].end
            if (
                len(current) >= max_words
                or chars > max_chars
                or pause > PAUSE_BREAK
                or not _fits(current + [word], measure, canvas)
            ):
                groups.append(Group(current))
                current = []
        current.append(word)
        last = i == len(words) - 1
        if not last and word.word.endswith(BREAK_AFTER):
            groups.append(Group(current))
            current = []
    if current:
        groups.append(Group(current))
    return _merge_orphans(groups, max_words, measure, canvas)


def _merge_orphans(groups: list[Group], max_words: int, measure, canvas) -> list[Group]:
    """A lone trailing word joins the group before it when that group has room."""
    merged: list[Group] = []
    for group in groups:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and len(group.words) == 1
            and len(previous.words) < max_words + 1
            and not previous.words[-1].word.endswith(BREAK_AFTER)
            and group.start - previous.end <= PAUSE_BREAK
            and _fits(previous.words + group.words, measure, canvas)
        ):
            previous.words.append(group.words[0])
        else:
            merged.append(group)
    return merged


def _display(word: WordTiming, uppercase: bool) -> str:
    text = word.word.upper() if uppercase else word.word
    return escape(text)


def _spans(items, end_of_audio: float) -> list[tuple[float, float]]:
    """Each item shows from its start to the next item's start; never overlapping."""
    spans = []
    for i, item in enumerate(items):
        start = item.start
        end = items[i + 1].start if i + 1 < len(items) else max(item.end + 0.3, start)
        end = min(max(end, start + MIN_DURATION), end_of_audio)
        if i + 1 < len(items):
            end = min(end, items[i + 1].start)
        spans.append((start, max(end, start + 0.01)))
    return spans


def build_subs(
    words: list[WordTiming], style: dict, duration: float, canvas: Canvas = VERTICAL
) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    subs.info.update(
        {
            "PlayResX": str(canvas.width),
            "PlayResY": str(canvas.height),
            "WrapStyle": "0",
            "ScaledBorderAndShadow": "yes",
            "YCbCr Matrix": "TV.709",  # the video's matrix: libass keeps the colours as given
        }
    )
    position = style["position"]
    side, top, bottom = canvas.margins
    subs.styles["Default"] = pysubs2.SSAStyle(
        fontname=style["font"],
        fontsize=style["size"],
        bold=True,
        primarycolor=color(style["color"]),
        secondarycolor=color(style["highlight"]),
        outlinecolor=color(style["outline_color"]),
        backcolor=color("#000000", 128),
        outline=style["outline"],
        shadow=style["shadow"],
        alignment=pysubs2.Alignment(ALIGNMENT[position]),
        marginl=side,
        marginr=side,
        marginv={"top": top, "center": 0, "bottom": bottom}[position],
    )
    words = [w for w in words if w.word.strip()]
    upper = style["uppercase"]
    highlight, plain = _ass_color(style["highlight"]), _ass_color(style["color"])
    measure = text_measure(style)
    if style["style"] == "word":
        for word, (start, end) in zip(words, _spans(words, duration), strict=True):
            scale = _scale([word], measure, canvas)
            pop = rf"{{\fscx{scale * 0.7:g}\fscy{scale * 0.7:g}\t(0,90,\fscx{scale}\fscy{scale})}}"
            _add(subs, start, end, pop + _display(word, upper))
        return subs
    groups = group_words(words, style["max_words"], style["max_chars"], measure, canvas)
    for group, (start, end) in zip(groups, _spans(groups, duration), strict=True):
        scale = _scale(group.words, measure, canvas)
        fit = "" if scale == 100 else rf"{{\fscx{scale}\fscy{scale}}}"
        if style["style"] == "phrase":
            _add(subs, start, end, fit + " ".join(_display(w, upper) for w in group.words))
            continue
        # karaoke: the phrase stays up, the word being spoken is highlighted
        word_spans = _spans(group.words, end)
        for k, (w_start, w_end) in enumerate(word_spans):
            w_start = start if k == 0 else w_start
            w_end = end if k == len(word_spans) - 1 else w_end
            parts = [
                (r"{\c" + highlight + "}" + _display(w, upper) + r"{\c" + plain + "}")
                if j == k
                else _display(w, upper)
                for j, w in enumerate(group.words)
            ]
            _add(subs, w_start, w_end, fit + " ".join(parts))
    return subs


def _scale(words: list[WordTiming], measure, canvas: Canvas) -> int:
    """Percent size that keeps the widest word inside one line (100 when it fits)."""
    widest = max(measure(w.word) for w in words)
    line = canvas.line_width
    return 100 if widest <= line else int(100 * line / widest)


def _add(subs: pysubs2.SSAFile, start: float, end: float, text: str) -> None:
    subs.append(pysubs2.SSAEvent(start=round(start * 1000), end=round(end * 1000), text=text))


def write_captions(
    words: list[WordTiming], style: dict, duration: float, path, canvas: Canvas = VERTICAL
) -> None:
    from .io import write_text_atomic

    write_text_atomic(path, build_subs(words, style, duration, canvas).to_string("ass"))
