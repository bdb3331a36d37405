"""Merge clips by stream copy while mixing voice and music, ducked and loudness-normalised."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import ffmpeg as ffmpeg_graph

from . import ffmpeg
from .errors import SnakereelError
from .io import atomic_path, read_pcm, write_wav_atomic
from .render import MP4_OPTIONS, frame_count


def concat_list(clips: list[Path]) -> str:
    """A concat-demuxer list: absolute paths, single quotes escaped the way the demuxer reads."""
    lines = []
    for clip in clips:
        path = str(Path(clip).resolve()).replace("'", "'\\''")
        lines.append(f"file '{path}'")
    return "\n".join(lines) + "\n"


def join_voice(wavs: list[Path], fps: int, out: Path) -> float:
    """Concatenate narration, each segment padded to its clip's whole frames (no drift)."""
    parts, rate, elapsed = [], None, 0.0
    for path in wavs:
        pcm, sample_rate = read_pcm(path)
        if rate not in (None, sample_rate):
            raise SnakereelError("segments have different sample rates", file=path)
        rate = sample_rate
        start = round(elapsed * rate)
        elapsed += frame_count(len(pcm) / 2 / rate, fps) / fps
        size = 2 * (round(elapsed * rate) - start)  # 16-bit samples
        parts.append(pcm[:size].ljust(size, b"\0"))
    write_wav_atomic(out, b"".join(parts), rate)
    return elapsed


def _mixed_audio(voice: Path, music: Path | None, volume: float, ducking: bool):
    speech = ffmpeg_graph.input(str(voice)).audio.filter("aresample", 48000)
    # Even out the narration so loudness can rise without the limiter working hard.
    speech = speech.filter("acompressor", threshold=0.03, ratio=4, attack=1, release=80)
    if music is None or volume <= 0:
        return speech
    split = speech.filter_multi_output("asplit", 2)
    speech, key = split.stream(0), split.stream(1)
    bed = ffmpeg_graph.input(str(music), stream_loop=-1).audio.filter("aresample", 48000)
    bed = bed.filter("aformat", channel_layouts="mono").filter("volume", volume)
    if ducking:
        bed = ffmpeg_graph.filter(
            [bed, key], "sidechaincompress", threshold=0.015, ratio=8, attack=20, release=400
        )
    return ffmpeg_graph.filter([speech, bed], "amix", inputs=2, duration="first", normalize=0)


LOUDNESS_TOLERANCE = 0.3  # LU between the target and the normalised mix
LIMITER_LOSS = 0.1  # first guess: LU the limiter takes away per dB of peaks it removes


def _measured(text: str) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) from the summary of `ebur128=peak=true`."""
    summary = text[text.rindex("Summary:") :] if "Summary:" in text else ""
    loud = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if not loud or not peak or loud.group(1) == "-inf":
        raise SnakereelError("loudness measurement failed: the mix is silent")
    return float(loud.group(1)), float(peak.group(1))


def _meter(stream):
    return stream.filter("ebur128", peak="true", framelog="quiet")


def _normalised(mixed: Path, gain: float, limit_db: float | None):
    """The pre-mixed audio at `gain` dB, through a peak limiter when one is needed, metered."""
    stream = ffmpeg_graph.input(str(mixed)).audio.filter("volume", f"{gain:.2f}dB")
    if limit_db is not None:
        stream = stream.filter(
            "alimiter", limit=f"{10 ** (limit_db / 20):.4f}", attack=3, release=60, level="disabled"
        )
    return _meter(stream)


def mix(
    clips: list[Path],
    wavs: list[Path],
    music: Path | None,
    out: Path,
    *,
    fps: int,
    volume: float,
    ducking: bool,
    target: float,
    true_peak: float,
    audio_bitrate: str,
    log=None,
) -> None:
    """Final video: the clips' video streams copied one after another (never re-encoded),
    the narration over ducked music, normalised to `target` LUFS.

    The narration is joined frame-exactly (see `join_voice`) into a temp WAV. One pass
    mixes voice and music into a float WAV and meters it (EBU R128 loudness and
    4x-oversampled true peak). Loudness is linear in gain, so when the peaks have room the
    gain is exact and one encode finishes the job. Otherwise a limiter holds the peaks
    1 dB under `true_peak` (margin for the AAC encoder); it takes some loudness away, so the
    encode meters what it encodes, and the gain is corrected and the encode redone until
    within LOUDNESS_TOLERANCE of the target (usually the first encode lands).
    """
    out = Path(out)
    limit_db = true_peak - 1.0
    # the narration, the clip list and the premix live in the system temp dir: a killed mix
    # leaves nothing in results/
    with tempfile.TemporaryDirectory(prefix="snakereel-mix-") as tmp:
        listing, voice, mixed = (
            Path(tmp) / "clips.txt",
            Path(tmp) / "voice.wav",
            Path(tmp) / "mixed.wav",
        )
        listing.write_text(concat_list(clips), encoding="utf-8")
        join_voice(wavs, fps, voice)
        video = ffmpeg_graph.input(str(listing), f="concat", safe=0).video
        args = _meter(_mixed_audio(voice, music, volume, ducking)).output(
            str(mixed), acodec="pcm_f32le"
        )
        loud, peak = _measured(ffmpeg.run(args.get_args(), log=log))
        gain = target - loud
        limit = limit_db if peak + gain > limit_db else None
        if limit is not None:
            gain += LIMITER_LOSS * (peak + gain - limit_db)
        with atomic_path(out) as final:
            for _ in range(4):
                args = ffmpeg_graph.output(
                    video,
                    _normalised(mixed, gain, limit),
                    str(final),
                    f="mp4",
                    vcodec="copy",
                    acodec="aac",
                    aac_coder="fast",
                    audio_bitrate=audio_bitrate,
                    ac=2,
                    shortest=None,
                    **MP4_OPTIONS,
                    map_metadata=-1,
                    fflags="+bitexact",
                ).get_args()
                loud, peak = _measured(ffmpeg.run(args, log=log))
                error = target - loud
                over = peak - (true_peak - 0.5)  # inter-sample peaks the limiter did not see
                if abs(error) <= LOUDNESS_TOLERANCE and over <= 0:
                    break
                if over > 0:
                    limit = (limit_db if limit is None else limit) - over
                gain += error * (1.5 if limit is not None else 1.0)
