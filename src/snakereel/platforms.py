"""What each platform takes: YouTube's recommended upload encoding settings, the short
formats' length limits and the parts of a 9:16 picture their interfaces cover.

Sources are cited in docs/captions.md (safe zones) and docs/platforms.md (the rest).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import SnakereelError
from .mp4 import Mp4Facts

# YouTube Help, "Recommended upload encoding settings", SDR bitrates in Mbit/s by the
# picture's lines (the short side of a vertical video): (standard, high frame rate).
YOUTUBE_BITRATES = {
    360: (1, 1.5),
    480: (2.5, 4),
    720: (5, 7.5),
    1080: (8, 12),
    1440: (16, 24),
    2160: (45, 68),
}
HIGH_FRAME_RATE = 48  # fps from which the page's high-frame-rate column applies


@dataclass(frozen=True)
class Platform:
    name: str
    label: str
    max_seconds: int  # longest video of its short format


# Limits as published by each platform (see docs/platforms.md for the sources).
PLATFORMS = {
    "youtube": Platform("youtube", "YouTube Shorts", 180),
    "reels": Platform("reels", "Instagram Reels", 180),
    "tiktok": Platform("tiktok", "TikTok", 600),
}

# Margins of a 9:16 picture that Shorts, Reels and TikTok cover with their interfaces, as
# fractions of the width (left, right) and height (top, bottom): the union of the three.
SAFE_MARGINS = {"top": 0.15, "bottom": 0.35, "left": 0.13, "right": 0.13}


def platform(name: str, file=None, field: str = "platform") -> Platform:
    try:
        return PLATFORMS[name]
    except KeyError:
        raise SnakereelError(
            f"unknown platform '{name}'",
            file=file,
            field=field,
            hint=f"use one of: {', '.join(PLATFORMS)}",
        ) from None


def safe_area(width: int, height: int) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) in pixels of the area no interface covers (9:16 only;
    landscape and square pictures are shown whole)."""
    if width >= height:
        return 0, 0, width, height
    return (
        round(width * SAFE_MARGINS["left"]),
        round(height * SAFE_MARGINS["top"]),
        round(width * (1 - SAFE_MARGINS["right"])),
        round(height * (1 - SAFE_MARGINS["bottom"])),
    )


def reference_bitrate(width: int, height: int, fps: float) -> int:
    """YouTube's recommended bitrate (bit/s) for the picture: the row of the smallest
    resolution that holds its short side."""
    lines = min(width, height)
    row = next((key for key in sorted(YOUTUBE_BITRATES) if key >= lines), 2160)
    standard, high = YOUTUBE_BITRATES[row]
    return round((high if fps >= HIGH_FRAME_RATE else standard) * 1_000_000)


@dataclass(frozen=True)
class Item:
    name: str
    ok: bool
    measured: str
    wanted: str


def upload_items(facts: Mp4Facts, target: Platform) -> list[Item]:
    """Each item of the platform's upload spec (YouTube's page; the others take the same
    H.264 + AAC MP4), with what the file has."""
    video, audio = facts.video, facts.audio
    items = [
        Item(
            "container: moov before mdat (fast start)",
            facts.faststart,
            " ".join(facts.top_level),
            "moov before mdat",
        ),
        Item(
            "container: no edit lists",
            not facts.has_edit_list,
            "edit list" if facts.has_edit_list else "none",
            "none",
        ),
        Item(
            f"length within the {target.label} limit",
            facts.duration <= target.max_seconds,
            f"{facts.duration:.1f} s",
            f"<= {target.max_seconds} s",
        ),
    ]
    if video is None:
        items.append(Item("video: H.264", False, "no H.264 video track", "H.264"))
    else:
        items += _video_items(video)
    if audio is None:
        items.append(Item("audio: AAC-LC", False, "no audio track", "AAC-LC"))
    else:
        items += [
            Item("audio: AAC-LC", audio.codec == "aac-lc", audio.codec, "aac-lc"),
            Item(
                "audio: stereo or 5.1", audio.channels in (2, 6), f"{audio.channels} ch", "2 or 6"
            ),
            Item(
                "audio: 48 or 96 kHz",
                audio.sample_rate in (48000, 96000),
                f"{audio.sample_rate} Hz",
                "48000 or 96000",
            ),
        ]
    return items


def _video_items(video) -> list[Item]:
    half_second = max(1, int(video.fps // 2))
    limit = reference_bitrate(video.width, video.height, video.fps)
    return [
        Item("video: H.264 High profile", video.profile == "high", video.profile, "high"),
        Item(
            "video: progressive",
            video.progressive,
            "progressive" if video.progressive else "interlaced",
            "progressive",
        ),
        Item("video: CABAC", video.cabac, "cabac" if video.cabac else "cavlc", "cabac"),
        Item("video: 4:2:0 chroma", video.chroma == "4:2:0", video.chroma, "4:2:0"),
        Item(
            "video: closed GOPs",
            video.closed_gops,
            "IDR keyframes" if video.closed_gops else "non-IDR keyframes",
            "IDR keyframes",
        ),
        Item(
            "video: keyframe at least every half second",
            video.max_keyframe_interval <= half_second,
            f"{video.max_keyframe_interval} frames",
            f"<= {half_second} frames",
        ),
        Item(
            "video: at most 2 consecutive B-frames",
            video.max_consecutive_b <= 2,
            str(video.max_consecutive_b),
            "<= 2",
        ),
        Item(
            "video: bitrate within the recommended",
            video.bitrate <= limit,
            f"{video.bitrate / 1e6:.2f} Mbit/s",
            f"<= {limit / 1e6:g} Mbit/s",
        ),
        Item(
            "video: BT.709 colour",
            video.colour == ("bt709",) * 3,
            "/".join(c or "untagged" for c in video.colour),
            "bt709/bt709/bt709",
        ),
    ]


# Narration pace at the voice's normal speed: the example channel's Piper voice speaks
# 3.7 words a second; a little slower, so that the estimate errs long.
WORDS_PER_SECOND = 3.5


def pace(voice) -> float:
    """Seconds per word relative to the normal pace, from the engine's own speed setting."""
    if voice["engine"] == "piper":
        return voice["length_scale"]
    return 1 / voice.get(voice["engine"], {}).get("speed", 1.0)


def estimated_seconds(segments) -> float:
    """A video's length from its words, each segment's voice pace and pause."""
    return sum(
        len(segment.text.split()) / WORDS_PER_SECOND * pace(segment.voice) + segment.voice["pause"]
        for segment in segments
    )


def strictest(names) -> Platform:
    """The platform with the shortest limit among `names`."""
    return min((platform(name) for name in names), key=lambda target: target.max_seconds)


def length_warning(what: str, seconds: float, names, kind: str = "estimated") -> str:
    """A one-line warning when `seconds` is over the strictest limit, else ""."""
    target = strictest(names)
    if seconds <= target.max_seconds:
        return ""
    return (
        f"{what}: {seconds:.0f} s ({kind}) is longer than the {target.label} limit of "
        f"{target.max_seconds} s"
    )
