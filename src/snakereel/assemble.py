"""Merge clips by stream copy, then mix voice and music with ducking and loudness normalisation."""

from __future__ import annotations

import re
import wave
from pathlib import Path

import ffmpeg as ffmpeg_graph
import numpy as np

from . import ffmpeg
from .errors import SnakereelError
from .io import atomic_path
from .render import frame_count
from .tts.base import read_wav


def concat_list(clips: list[Path]) -> str:
    """A concat-demuxer list: absolute paths, single quotes escaped the way the demuxer reads."""
    lines = []
    for clip in clips:
        path = str(Path(clip).resolve()).replace("'", "'\\''")
        lines.append(f"file '{path}'")
    return "\n".join(lines) + "\n"


def concat_clips(clips: list[Path], out: Path, log=None) -> None:
    """The video streams of all clips, copied (never re-encoded), one after another."""
    out = Path(out)
    with atomic_path(out.with_suffix(".txt")) as listing, atomic_path(out) as tmp:
        listing.write_text(concat_list(clips), encoding="utf-8")
        ffmpeg.run(
            [
                "-f",
                "concat",
                "-safe",
                "0",
                "-i",
                str(listing),
                "-map",
                "0:v",
                "-c",
                "copy",
                "-f",
                "mp4",
                "-movflags",
                "+faststart",
                "-fflags",
                "+bitexact",
                "-map_metadata",
                "-1",
                str(tmp),
            ],
            log=log,
        )


def join_voice(wavs: list[Path], fps: int, out: Path) -> float:
    """Concatenate narration, each segment padded to its clip's whole frames (no drift)."""
    parts, rate, elapsed = [], None, 0.0
    for path in wavs:
        samples, sample_rate = read_wav(path)
        if rate not in (None, sample_rate):
            raise SnakereelError("segments have different sample rates", file=path)
        rate = sample_rate
        start = round(elapsed * rate)
        elapsed += frame_count(len(samples) / rate, fps) / fps
        padded = np.zeros(round(elapsed * rate) - start, dtype=np.int16)
        padded[: len(samples)] = samples[: len(padded)]
        parts.append(padded)
    with atomic_path(out) as tmp, wave.open(str(tmp), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(np.concatenate(parts).astype("<i2").tobytes())
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


def integrated_loudness(stream) -> float:
    """EBU R128 integrated loudness (LUFS) of an audio stream."""
    text = ffmpeg.stderr_of(stream.filter("ebur128").output("-", f="null").get_args())
    match = re.search(r"Integrated loudness:\s+I:\s+(-?[\d.]+|-inf) LUFS", text)
    if not match or match.group(1) == "-inf":
        raise SnakereelError("loudness measurement failed: the mix is silent")
    return float(match.group(1))


def _loud(stream, gain: float, limit: float):
    return (
        stream.filter("volume", f"{gain:.2f}dB")
        .filter("aresample", 192000)  # limit on 4x oversampled audio: true peaks, not samples
        .filter("alimiter", limit=f"{limit:.4f}", attack=3, release=60, level="disabled")
        .filter("aresample", 48000)
    )


def loudness_gain(mixed, target: float, true_peak: float, rounds: int = 3) -> float:
    """The gain that, followed by the peak limiter, lands on `target` LUFS (within 0.3 LU).

    The limiter takes some loudness away with the peaks, so measure and correct.
    """
    limit = 10 ** ((true_peak - 1.0) / 20)  # 1 dB of margin for the AAC encoder's overshoot
    gain = target - integrated_loudness(mixed())
    for _ in range(rounds):
        error = target - integrated_loudness(_loud(mixed(), gain, limit))
        if abs(error) <= 0.3:
            break
        gain += error * 1.5  # the limiter returns less than each extra dB
    return gain


def mix(
    visual: Path,
    voice: Path,
    music: Path | None,
    out: Path,
    *,
    volume: float,
    ducking: bool,
    target: float,
    true_peak: float,
    audio_bitrate: str,
    log=None,
) -> None:
    """Final video: copied video stream, voice over ducked music, normalised to `target` LUFS."""

    def mixed():
        return _mixed_audio(voice, music, volume, ducking)

    gain = loudness_gain(mixed, target, true_peak)
    audio = _loud(mixed(), gain, 10 ** ((true_peak - 1.0) / 20))
    video = ffmpeg_graph.input(str(visual)).video
    with atomic_path(out) as tmp:
        args = ffmpeg_graph.output(
            video,
            audio,
            str(tmp),
            f="mp4",
            vcodec="copy",
            acodec="aac",
            audio_bitrate=audio_bitrate,
            ac=2,
            shortest=None,
            movflags="+faststart",
            map_metadata=-1,
            fflags="+bitexact",
        ).get_args()
        ffmpeg.run(args, log=log)
