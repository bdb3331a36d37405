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


def wav_duration(path: str | os.PathLike) -> float:
    """Seconds of a WAV file, from its header (no numpy import in the render job)."""
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def frame_count(seconds: float, fps: int) -> int:
    return max(1, math.ceil(round(seconds * fps, 6)))


def encoder_args(encoder: str, preset: Preset, threads: int) -> list[str]:
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


def motion_filter(stream, motion: str, frames: int, preset: Preset):
    """The still image (decoded once) in motion, as yuv420p frames of the preset's size.

    The image is converted to yuv420p once, before any per-frame work: scaling planar
    4:2:0 costs half of scaling RGB, and captions and the encoder take it as it is.
    """
    width, height, fps = preset.width, preset.height, preset.fps
    if motion == "kenburns":
        # zoompan turns the single input frame into `frames` frames (no per-frame decode),
        # each a centred crop scaled straight to the output size.
        return stream.filter("format", "yuv420p").filter(
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
        stream = stream.filter("format", "yuv420p")
        stream = stream.filter("loop", loop=frames - 1, size=1, start=0)
        stream = stream.filter("setpts", f"N/({fps}*TB)")
        # exact: 1-pixel steps on 4:2:0 too (chroma half a pixel off at odd steps, unseen)
        x = f"(iw-ow)*n/{max(frames - 1, 1)}"
        return stream.filter("crop", width, height, x=x, y=0, exact=1)
    if motion == "static":
        stream = stream.filter("scale", width, height).filter("format", "yuv420p")
        stream = stream.filter("loop", loop=frames - 1, size=1, start=0)
        return stream.filter("setpts", f"N/({fps}*TB)")
    raise SnakereelError(f"unknown motion '{motion}'", field="motion")


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
) -> list[str]:
    """The ffmpeg arguments; run them with cwd = the captions' folder (short filter paths)."""
    frames = frame_count(duration, preset.fps)
    seconds = frames / preset.fps
    video = motion_filter(ffmpeg_graph.input(str(image)), motion, frames, preset)
    fonts_rel = os.path.relpath(fonts, captions.parent)
    video = video.filter("subtitles", captions.name, fontsdir=_filter_safe(Path(fonts_rel)))
    video = video.filter("format", "yuv420p")
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
        )
        total = frame_count(duration, preset.fps) / preset.fps
        ffmpeg.run(args, log=log, cwd=captions.parent, total=total)
