"""One segment -> clip.mp4: image with motion, burned captions, narration."""

from __future__ import annotations

import math
import os
import wave
from pathlib import Path

import ffmpeg as ffmpeg_graph

from . import ffmpeg
from .errors import SnakereelError
from .io import atomic_path
from .platforms import reference_bitrate, safe_area
from .presets import Preset

ZOOM_PER_SECOND = 0.045  # kenburns: the classic slow push-in, 0.0015 per frame at 30 fps
ZOOM_MAX = 1.35  # longer segments zoom more slowly, never past this
PAN = 0.15  # pan: the image is 15 % wider than the frame
TIMESCALE = 15360  # one track timescale for every clip, so clips concatenate by stream copy
UNSAFE_IN_FILTER = set("'\\:[],;")
# x264's bitstream depends on its thread count, so the count is fixed: the same clip for
# any --cores. Two frame threads keep a lone render (an edit) on both cores of a small
# machine; the rule counts as one core, so on a full build two renders share two cores.
ENCODER_THREADS = 2
# The final's container as YouTube asks: the moov box first and no edit lists (negative
# composition offsets let B-frames start at time 0 without one). Clips keep their edit
# lists: they trim the AAC encoder's priming, so each clip lasts exactly its frames and
# the concatenated video has no gaps.
MP4_OPTIONS = {"movflags": "+faststart+negative_cts_offsets", "use_editlist": 0}


def wav_duration(path: str | os.PathLike) -> float:
    """Seconds of a WAV file, from its header (no numpy import in the render job)."""
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def frame_count(seconds: float, fps: int) -> int:
    return max(1, math.ceil(round(seconds * fps, 6)))


def upload_args(preset: Preset) -> list[str]:
    """Closed GOPs of half a second, 2 B-frames in a row and a bitrate cap at YouTube's
    reference value (both encoders make every keyframe an IDR picture: closed GOPs)."""
    if not preset.upload_ready:
        return []
    cap = reference_bitrate(preset.width, preset.height, preset.fps)
    gop = str(max(1, preset.fps // 2))
    return ["-g", gop, "-bf", "2", "-maxrate", str(cap), "-bufsize", str(2 * cap)]


def encoder_args(encoder: str, preset: Preset, threads: int) -> list[str]:
    return _codec_args(encoder, preset, threads) + upload_args(preset)


def _codec_args(encoder: str, preset: Preset, threads: int) -> list[str]:
    if encoder == "h264_nvenc":
        return [
            "-c:v",
            "h264_nvenc",
            "-preset",
            preset.nvenc_preset,
            "-tune",
            "hq",
            "-rc",
            "vbr",
            "-cq",
            str(preset.cq),
            "-b:v",
            "0",
            "-profile:v",
            "high",
        ]
    if encoder == "libx264":
        tune = ["-tune", preset.x264_tune] if preset.x264_tune else []
        params = ["-x264-params", preset.x264_params] if preset.x264_params else []
        return [
            "-c:v",
            "libx264",
            "-preset",
            preset.x264_preset,
            *tune,
            "-crf",
            str(preset.crf),
            *params,
            "-profile:v",
            "high",
            "-threads",
            str(threads),
        ]
    raise SnakereelError(f"unknown encoder '{encoder}'", field="encoder")


def zoom_per_frame(frames: int, fps: int) -> float:
    """Kenburns zoom step: ZOOM_PER_SECOND, slowed down so the last frame stays <= ZOOM_MAX."""
    return min(ZOOM_PER_SECOND / fps, (ZOOM_MAX - 1) / max(frames - 1, 1))


def to_bt709(stream, **size):
    """RGB to yuv420p with the BT.709 matrix in limited range (swscale's default is BT.601)."""
    return stream.filter("scale", **size, out_color_matrix="bt709", out_range="tv").filter(
        "format", "yuv420p"
    )


def tag_bt709(stream):
    """Mark the frames BT.709, so the encoder writes it in the stream and the MP4 colr box."""
    return stream.filter(
        "setparams", color_primaries="bt709", color_trc="bt709", colorspace="bt709", range="tv"
    )


def motion_filter(stream, motion: str, frames: int, preset: Preset):
    """The still image (decoded once) in motion, as yuv420p frames of the preset's size.

    The image is converted to yuv420p once, before any per-frame work: scaling planar
    4:2:0 costs half of scaling RGB, and captions and the encoder take it as it is.
    """
    width, height, fps = preset.width, preset.height, preset.fps
    if motion == "kenburns":
        # zoompan turns the single input frame into `frames` frames (no per-frame decode),
        # each a centred crop scaled straight to the output size.
        return to_bt709(stream).filter(
            "zoompan",
            z=f"1+{zoom_per_frame(frames, fps):.8f}*on",
            d=frames,
            fps=fps,
            s=f"{width}x{height}",
            x="iw/2-(iw/zoom/2)",
            y="ih/2-(ih/zoom/2)",
        )
    if motion == "pan":
        wide = 2 * round(width * (1 + PAN) / 2)
        stream = stream.filter("scale", wide, -2).filter("crop", wide, height)
        stream = to_bt709(stream)
        stream = stream.filter("loop", loop=frames - 1, size=1, start=0)
        stream = stream.filter("setpts", f"N/({fps}*TB)")
        # exact: 1-pixel steps on 4:2:0 too (chroma half a pixel off at odd steps, unseen)
        x = f"(iw-ow)*n/{max(frames - 1, 1)}"
        return stream.filter("crop", width, height, x=x, y=0, exact=1)
    if motion == "static":
        stream = to_bt709(stream, width=width, height=height)
        stream = stream.filter("loop", loop=frames - 1, size=1, start=0)
        return stream.filter("setpts", f"N/({fps}*TB)")
    raise SnakereelError(f"unknown motion '{motion}'", field="motion")


def draw_safe_zones(stream, width: int, height: int):
    """Shade what the platforms' interfaces cover (a proofing aid for 9:16 pictures).
    drawbox blends alpha in YUV: 0.1 shows as a clear red tint that keeps the picture."""
    left, top, right, bottom = safe_area(width, height)
    for x, y, w, h in (
        (0, 0, width, top),
        (0, bottom, width, height - bottom),
        (0, top, left, bottom - top),
        (right, top, width - right, bottom - top),
    ):
        if w > 0 and h > 0:
            stream = stream.filter("drawbox", x=x, y=y, w=w, h=h, color="red@0.1", t="fill")
    return stream


def _filter_safe(path: Path) -> str:
    text = str(path)
    if UNSAFE_IN_FILTER & set(text):
        raise SnakereelError(
            f"path has characters ffmpeg filters cannot take: {text}",
            hint="install snakereel in a folder without ' \\ : [ ] , ;",
        )
    return text


def build_clip_command(
    image: Path,
    speech: Path,
    captions: Path,
    out: Path,
    *,
    duration: float,
    preset: Preset,
    motion: str,
    encoder: str,
    fonts: Path,
    threads: int = ENCODER_THREADS,
    safe_zones: bool = False,
) -> list[str]:
    """The ffmpeg arguments; run them with cwd = the captions' folder (short filter paths)."""
    frames = frame_count(duration, preset.fps)
    seconds = frames / preset.fps
    video = motion_filter(ffmpeg_graph.input(str(image)), motion, frames, preset)
    fonts_rel = os.path.relpath(fonts, captions.parent)
    video = video.filter("subtitles", captions.name, fontsdir=_filter_safe(Path(fonts_rel)))
    if safe_zones:
        video = draw_safe_zones(video, preset.width, preset.height)
    video = tag_bt709(video.filter("format", "yuv420p"))
    audio = ffmpeg_graph.input(str(speech)).filter("apad", whole_dur=f"{seconds:.6f}")
    return clip_args(
        video, audio, out, frames=frames, preset=preset, encoder=encoder, threads=threads
    )


def clip_args(video, audio, out: Path, *, frames: int, preset: Preset, encoder: str, threads: int):
    """The ffmpeg arguments that write a segment clip from a finished picture and sound
    graph: every clip shares these output options, so the mix joins them by stream copy."""
    seconds = frames / preset.fps
    output = ffmpeg_graph.output(
        video,
        audio,
        str(out),
        f="mp4",
        r=preset.fps,
        t=f"{seconds:.6f}",
        **{
            "frames:v": frames,
            "c:a": "aac",
            "aac_coder": "fast",  # the clip's audio is only a preview; the mix re-encodes it
            "b:a": preset.audio_bitrate,
            "ar": 48000,
            "ac": 1,
            "video_track_timescale": TIMESCALE,
            "movflags": "+faststart",
            "map_metadata": -1,
            "fflags": "+bitexact",
            "flags:v": "+bitexact",
            "flags:a": "+bitexact",
        },
    )
    args = output.get_args()
    position = args.index(str(out))
    return args[:position] + encoder_args(encoder, preset, threads) + args[position:]


def render_clip(
    image,
    speech,
    captions,
    out,
    *,
    duration,
    preset,
    motion,
    encoder,
    fonts,
    threads=ENCODER_THREADS,
    safe_zones=False,
    log=None,
) -> None:
    # absolute, not resolved: cached inputs are links into the cache, and the log should
    # name the segment's own files
    captions = Path(captions).absolute()
    with atomic_path(out) as tmp:
        args = build_clip_command(
            Path(image).absolute(),
            Path(speech).absolute(),
            captions,
            tmp.absolute(),
            duration=duration,
            preset=preset,
            motion=motion,
            encoder=encoder,
            fonts=Path(fonts).resolve(),
            threads=threads,
            safe_zones=safe_zones,
        )
        total = frame_count(duration, preset.fps) / preset.fps
        ffmpeg.run(args, log=log, cwd=captions.parent, total=total)
