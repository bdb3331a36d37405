"""Word timings -> an ASS subtitle file: word, karaoke and phrase styles."""

from __future__ import annotations

from dataclasses import dataclass

import pysubs2

from .tts.base import WordTiming

PLAY_RES = (1080, 1920)  # libass scales to the video size, so captions do not depend on preset
ALIGNMENT = {"top": 8, "center": 5, "bottom": 2}
# Keep clear of the Shorts/Reels interface: title bar above, buttons and description below.
MARGIN_V = {"top": 260, "center": 0, "bottom": 480}
MARGIN_H = 90
BREAK_AFTER = (".", ",", "!", "?", ";", ":", "—", "…")
PAUSE_BREAK = 0.35  # seconds of silence that end a caption group
MIN_DURATION = 0.5


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


def group_words(words: list[WordTiming], max_words: int, max_chars: int) -> list[Group]:
    """Phrases that break at punctuation, pauses and size limits."""
    groups: list[Group] = []
    current: list[WordTiming] = []
    for i, word in enumerate(words):
        if current:
            chars = len(" ".join(w.word for w in current + [word]))
            pause = word.start - current[-1].end
            if len(current) >= max_words or chars > max_chars or pause > PAUSE_BREAK:
                groups.append(Group(current))
                current = []
        current.append(word)
        last = i == len(words) - 1
        if not last and word.word.endswith(BREAK_AFTER):
            groups.append(Group(current))
            current = []
    if current:
        groups.append(Group(current))
    return _merge_orphans(groups, max_words)


def _merge_orphans(groups: list[Group], max_words: int) -> list[Group]:
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


def build_subs(words: list[WordTiming], style: dict, duration: float) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    subs.info.update(
        {
            "PlayResX": str(PLAY_RES[0]),
            "PlayResY": str(PLAY_RES[1]),
            "WrapStyle": "0",
            "ScaledBorderAndShadow": "yes",
        }
    )
    position = style["position"]
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
        marginl=MARGIN_H,
        marginr=MARGIN_H,
        marginv=MARGIN_V[position],
    )
    words = [w for w in words if w.word.strip()]
    upper = style["uppercase"]
    highlight = _ass_color(style["highlight"])
    if style["style"] == "word":
        for word, (start, end) in zip(words, _spans(words, duration), strict=True):
            pop = r"{\fscx70\fscy70\t(0,90,\fscx100\fscy100)}"
            _add(subs, start, end, pop + _display(word, upper))
        return subs
    groups = group_words(words, style["max_words"], style["max_chars"])
    for group, (start, end) in zip(groups, _spans(groups, duration), strict=True):
        if style["style"] == "phrase":
            _add(subs, start, end, " ".join(_display(w, upper) for w in group.words))
            continue
        # karaoke: the phrase stays up, the word being spoken is highlighted
        word_spans = _spans(group.words, end)
        for k, (w_start, w_end) in enumerate(word_spans):
            w_start = start if k == 0 else w_start
            w_end = end if k == len(word_spans) - 1 else w_end
            parts = [
                (r"{\c" + highlight + "}" + _display(w, upper) + r"{\r}")
                if j == k
                else _display(w, upper)
                for j, w in enumerate(group.words)
            ]
            _add(subs, w_start, w_end, " ".join(parts))
    return subs


def _add(subs: pysubs2.SSAFile, start: float, end: float, text: str) -> None:
    subs.append(pysubs2.SSAEvent(start=round(start * 1000), end=round(end * 1000), text=text))


def write_captions(words: list[WordTiming], style: dict, duration: float, path) -> None:
    from .io import write_text_atomic

    write_text_atomic(path, build_subs(words, style, duration).to_string("ass"))
