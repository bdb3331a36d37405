"""One footage segment -> clip.mp4: a moving background (own clip or stock), captions, voice.

The source is probed from the header `ffmpeg -i` prints (imageio-ffmpeg ships no ffprobe),
then, per frame: ffmpeg's autorotate (phone rotation metadata), `fps` (variable frame rate
and 60 fps sources become the preset's constant rate before any other work), a crop of
the preset's aspect around the focus point, one scale to the preset's size that also
converts 10-bit and BT.601/BT.2020 pictures to 8-bit BT.709 (HDR is tone-mapped with
zscale), the captions, and the same encoder and output options as a still's clip.

Cropping before scaling touches only the pixels that stay: a 1080p landscape source is
cut to 608x1080 and scaled once, instead of scaled to 3413x1920 and then cut.

Shorter sources loop: `restart` re-reads the file (`-stream_loop`, no frames kept in
memory), `pingpong` plays the first stretch forwards then backwards; that stretch is
capped (MAX_REVERSE_BYTES) because `reverse` holds it in memory.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import ffmpeg as ffmpeg_graph

from . import ffmpeg
from .errors import SnakereelError
from .io import atomic_path
from .presets import Preset
from .render import (
    ENCODER_THREADS,
    _filter_safe,
    clip_args,
    draw_safe_zones,
    frame_count,
    tag_bt709,
)

MAX_PIXELS = 4096 * 2304  # 4K and its taller phone variants; 8K costs ~4x to decode
MIN_SECONDS = 0.1
MAX_REVERSE_BYTES = 512 * 2**20  # frames `reverse` may hold for pingpong
HDR_TRANSFERS = ("smpte2084", "arib-std-b67")  # PQ and HLG
CENTRE = {"x": 0.5, "y": 0.5}
# Tagged matrices other than BT.709 are converted; untagged HD is taken as BT.709, as
# players do, so it costs no conversion pass.
CONVERT_MATRICES = {"bt470bg", "smpte170m", "bt2020nc", "bt2020c", "smpte240m", "fcc"}
KNOWN_MATRICES = CONVERT_MATRICES | {"bt709"}

# x264 settings of footage clips where they differ from the preset's (the stills'), as
# data: the render spec carries them, so a change here re-renders footage segments only.
# Camera footage drops the stills' `animation` tune (on footage it only added bytes), and
# production uses crf 24: as close to x264 `medium`'s picture as superfast gets, without
# its bytes (bench/render.py --footage, docs/performance.md "Footage").
FOOTAGE_X264 = {
    "preview": {"x264_tune": ""},
    "production": {"x264_tune": "", "crf": 24},
}

_STREAM = re.compile(r"Stream #\d+:\d+[^:]*: (Video|Audio): (.*)")
_SIZE = re.compile(r"\b(\d{2,5})x(\d{2,5})\b")
_FPS = re.compile(r"([\d.]+) (?:fps|tbr)")
_ROTATION = re.compile(r"rotation of (-?[\d.]+) degrees", re.IGNORECASE)
_COLOUR = re.compile(r"\(([^)]*)\)")
_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Source:
    """What the render needs to know about a footage file, as ffmpeg shows it."""

    width: int  # as displayed: rotation applied
    height: int
    duration: float
    fps: float
    pix_fmt: str
    transfer: str  # colour transfer ("" when untagged)
    rotation: int  # degrees, from the display matrix
    has_audio: bool
    matrix: str = ""  # colour matrix ("" when untagged)

    @property
    def hdr(self) -> bool:
        return self.transfer in HDR_TRANSFERS


def parse_probe(text: str, path: str | os.PathLike) -> Source:
    """A Source from `ffmpeg -i`'s stderr; SnakereelError naming `path` when unusable."""
    streams = [(kind, rest) for kind, rest in _STREAM.findall(text)]
    video = next((rest for kind, rest in streams if kind == "Video"), None)
    if video is None:
        if "Invalid data" in text or "moov atom not found" in text:
            raise SnakereelError("not a readable video file (corrupt or cut off?)", file=path)
        if not streams:
            raise SnakereelError("has no length (zero frames)", file=path)
        raise SnakereelError("has no video stream", file=path)
    size = _SIZE.search(video)
    if not size:
        raise SnakereelError("video stream has no picture size", file=path)
    width, height = int(size.group(1)), int(size.group(2))
    rotation = _rotation(text)
    if rotation in (90, 270):
        width, height = height, width
    rate = _FPS.search(video)
    duration = _DURATION.search(text)
    seconds = 0.0
    if duration:
        hours, minutes, rest = duration.groups()
        seconds = int(hours) * 3600 + int(minutes) * 60 + float(rest)
    pix_fmt = video.split(",")[1].strip().split("(")[0].strip() if "," in video else ""
    return Source(
        width=width,
        height=height,
        duration=seconds,
        fps=float(rate.group(1)) if rate else 0.0,
        pix_fmt=pix_fmt,
        transfer=_colour(video)[1],
        rotation=rotation,
        has_audio=any(kind == "Audio" for kind, _ in streams),
        matrix=_colour(video)[0],
    )


def _rotation(text: str) -> int:
    match = _ROTATION.search(text)
    return round(float(match.group(1))) % 360 if match else 0


def _colour(video: str) -> tuple[str, str]:
    """(matrix, transfer) from `yuv420p10le(tv, bt2020nc/bt2020/smpte2084, progressive)`;
    ffmpeg prints one name when all three agree, nothing when untagged."""
    for group in _COLOUR.findall(video):
        for part in (p.strip() for p in group.split(",")):
            if part.count("/") == 2:
                matrix, _, transfer = part.split("/")
                return matrix, transfer
            if part in KNOWN_MATRICES:
                return part, part
    return "", ""


def probe(path: str | os.PathLike) -> Source:
    """Probe and check a footage file: one clear error for what cannot be rendered."""
    if not Path(path).is_file():
        raise SnakereelError("file not found", file=path)
    if Path(path).stat().st_size == 0:
        raise SnakereelError("is an empty file", file=path)
    source = parse_probe(ffmpeg.stderr_of(["-i", str(path)]), path)
    if source.width * source.height > MAX_PIXELS:
        raise SnakereelError(
            f"{source.width}x{source.height} is larger than 4K",
            file=path,
            hint="scale it down first, e.g. ffmpeg -i in.mp4 -vf scale=-2:2160 out.mp4",
        )
    if source.duration < MIN_SECONDS:
        raise SnakereelError("has no length (zero frames)", file=path)
    return source


def _even(value: float) -> int:
    return max(2, 2 * int(value / 2))


def crop_box(source: Source, width: int, height: int, focus: Mapping = CENTRE) -> tuple:
    """(w, h, x, y): the largest window of the output's aspect inside the (displayed)
    source, centred on the focus point as far as the edges allow; even numbers for 4:2:0."""
    if source.width * height > source.height * width:  # wider than the output
        crop_h = _even(source.height)
        crop_w = min(_even(source.height * width / height), _even(source.width))
    else:
        crop_w = _even(source.width)
        crop_h = min(_even(source.width * height / width), _even(source.height))
    return (
        crop_w,
        crop_h,
        _offset(focus["x"], source.width, crop_w),
        _offset(focus["y"], source.height, crop_h),
    )


def _offset(focus: float, size: int, window: int) -> int:
    """The window's even start so that `focus` (0..1) is its centre, inside the picture."""
    start = min(max(focus * size - window / 2, 0), size - window)
    return 2 * int(start / 2)


def encoding(preset: Preset) -> dict:
    """The footage-specific encoder settings of this preset (empty: the preset's own)."""
    return dict(FOOTAGE_X264.get(preset.name, {}))


def reverse_cap(preset: Preset) -> int:
    """Most frames `reverse` may hold for pingpong at this preset's size."""
    return max(3, MAX_REVERSE_BYTES // (preset.width * preset.height * 3 // 2))


def picture(stream, source: Source, preset: Preset, focus: Mapping):
    """Rotated (by ffmpeg) source -> constant-rate yuv420p BT.709 frames of the preset."""
    width, height = preset.width, preset.height
    stream = stream.filter("fps", preset.fps)
    crop_w, crop_h, x, y = crop_box(source, width, height, focus)
    if (crop_w, crop_h) != (source.width, source.height):
        stream = stream.filter("crop", crop_w, crop_h, x, y)
    if source.hdr:
        stream = stream.filter("scale", width, height)
        stream = stream.filter("zscale", transfer="linear", npl=100).filter("format", "gbrpf32le")
        stream = stream.filter("zscale", primaries="bt709")
        stream = stream.filter("tonemap", tonemap="hable", desat=0)
        stream = stream.filter("zscale", transfer="bt709", matrix="bt709", range="tv")
    elif source.matrix in CONVERT_MATRICES:
        stream = stream.filter("scale", width, height, out_color_matrix="bt709", out_range="tv")
    elif (crop_w, crop_h) != (width, height):
        stream = stream.filter("scale", width, height)
    # 10-bit and 4:4:4 sources become 8-bit 4:2:0 here (ffmpeg dithers); 8-bit 4:2:0 passes
    return stream.filter("format", "yuv420p").filter("setsar", 1)


def looped(clip: Path, source: Source, preset: Preset, frames: int, loop: str, focus):
    """The source's picture for `frames` output frames, looped as asked."""
    needed = frames / preset.fps
    if loop == "pingpong" and source.duration < needed:
        stretch = min(int(source.duration * preset.fps), reverse_cap(preset))
        if stretch >= 3:
            forward = picture(ffmpeg_graph.input(str(clip)), source, preset, focus)
            forward = forward.trim(end_frame=stretch).setpts("PTS-STARTPTS")
            split = forward.split()
            ahead, back = split[0], split[1]
            # the turning frames are not shown twice: back runs stretch-2 .. 1
            back = back.filter("reverse").trim(start_frame=1, end_frame=stretch - 1)
            period = ffmpeg_graph.concat(ahead, back.setpts("PTS-STARTPTS"), v=1, a=0)
            period = period.filter("loop", loop=-1, size=2 * stretch - 2, start=0)
            return period.setpts(f"N/({preset.fps}*TB)")
    # restart: the file is read again from the start (no frames held); also a safety net
    # for a header that promises more than the file holds
    return picture(ffmpeg_graph.input(str(clip), stream_loop=-1), source, preset, focus)


def build_footage_command(
    clip: Path,
    speech: Path,
    captions: Path,
    out: Path,
    *,
    source: Source,
    duration: float,
    preset: Preset,
    encoder: str,
    fonts: Path,
    loop: str = "restart",
    focus: Mapping = CENTRE,
    threads: int = ENCODER_THREADS,
    safe_zones: bool = False,
) -> list[str]:
    """The ffmpeg arguments; run them with cwd = the captions' folder (short filter paths)."""
    frames = frame_count(duration, preset.fps)
    video = looped(clip, source, preset, frames, loop, focus)
    preset = dataclasses.replace(preset, **encoding(preset))
    fonts_rel = os.path.relpath(fonts, captions.parent)
    video = video.filter("subtitles", captions.name, fontsdir=_filter_safe(Path(fonts_rel)))
    if safe_zones:
        video = draw_safe_zones(video, preset.width, preset.height)
    video = tag_bt709(video.filter("format", "yuv420p"))
    seconds = frames / preset.fps
    audio = ffmpeg_graph.input(str(speech)).filter("apad", whole_dur=f"{seconds:.6f}")
    return clip_args(
        video, audio, out, frames=frames, preset=preset, encoder=encoder, threads=threads
    )


def render_footage(
    clip,
    speech,
    captions,
    out,
    *,
    duration,
    preset,
    encoder,
    fonts,
    loop="restart",
    focus=CENTRE,
    threads=ENCODER_THREADS,
    safe_zones=False,
    log=None,
) -> Source:
    """Render one footage segment; returns what the probe found (for the job's log)."""
    source = probe(clip)
    captions = Path(captions).absolute()
    with atomic_path(out) as tmp:
        args = build_footage_command(
            Path(clip).absolute(),
            Path(speech).absolute(),
            captions,
            tmp.absolute(),
            source=source,
            duration=duration,
            preset=preset,
            encoder=encoder,
            fonts=Path(fonts).resolve(),
            loop=loop,
            focus=focus,
            threads=threads,
            safe_zones=safe_zones,
        )
        total = frame_count(duration, preset.fps) / preset.fps
        ffmpeg.run(args, log=log, cwd=captions.parent, total=total)
    return source


def background(footage: Mapping | None, inputs) -> tuple[str, str]:
    """("still" | "clip", path) of the render job's picture: a still's image.png, an own
    clip, or what the stock choice settled on (a clip, a fitted photo, or the card)."""
    if not footage:
        return "still", inputs.image
    if footage["source"] == "clip":
        return "clip", inputs.image
    kind = json.loads(Path(inputs.choice).read_text(encoding="utf-8"))["kind"]
    if kind == "video":
        return "clip", inputs.image
    if kind == "photo":
        return "still", inputs.image
    return "still", inputs.card


@contextlib.contextmanager
def where_failed(file: object, field: str = "") -> Iterator[None]:
    """An error inside names `file` and `field` (the video script and the segment, or the
    channel file) first, then what it was about and the problem, still on one line."""
    try:
        yield
    except SnakereelError as error:
        problem = f"{error.file}: {error.message}" if error.file else error.message
        if error.field and not error.file:
            problem = f"{error.field}: {problem}"
        raise SnakereelError(problem, file=file, field=field, hint=error.hint) from None
