"""Align known text to narration that has no word timings (Chatterbox, a recorded take).

The method aeneas made classic, without any model download: synthesise the same text
with Piper, whose word timings come from the model's own phoneme durations, then match
the two recordings frame by frame with dynamic time warping (DTW) on MFCC features and
carry each word's start and end through the warping path.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..errors import SnakereelError
from ..ffmpeg import ffmpeg_exe, stderr_of
from ..io import write_json_atomic
from ..words import WordTiming
from .registry import load_engine
from .speech import Speech

HELP = "align a narration's text to its audio: word timings without any model download"

RATE = 16000  # both recordings are compared at 16 kHz: speech cues lie below 8 kHz
REFERENCE_VOICE = {"engine": "piper", "voice": "en_US-joe-medium", "seed": 0}
TAKE_RATE = 22050  # recorded takes are converted to the rate of the shipped Piper voices
MAX_FRAMES = 4000  # DTW holds two frames x frames float matrices: longer audio gets a longer hop


@dataclass(frozen=True)
class Method:
    """What the aligner compares and how.

    Chosen by measurement (development texts, Piper at other length/noise scales, also
    pitch-shifted by +3 and -4 semitones to stand in for another speaker): Euclidean
    distance on 11 normalised MFCCs (c0 kept) with deltas had the lowest word-start
    error on the shifted voices (median 13-15 ms, p95 42-47 ms) and tied on the same
    voice (median 5 ms, p95 25 ms); cosine, dropping c0, 20 MFCCs, no deltas or a 20 ms
    hop were worse. bench/captions.py measures the default on held-out text.
    """

    hop: float = 0.01  # seconds per feature frame
    n_mfcc: int = 10  # cepstral coefficients after c0
    skip_c0: bool = False  # c0 (loudness) is normalised per recording like the others
    deltas: bool = True
    metric: str = "euclidean"


DEFAULT = Method()


@functools.cache
def reference_engine():
    return load_engine(dict(REFERENCE_VOICE))


def to_rate(samples: np.ndarray, rate: int) -> np.ndarray:
    """int16 (or float) mono samples -> float32 at RATE."""
    import librosa

    audio = np.asarray(samples, dtype=np.float32)
    if np.issubdtype(np.asarray(samples).dtype, np.integer):
        audio = audio / 32768.0
    if rate != RATE:
        audio = librosa.resample(audio, orig_sr=rate, target_sr=RATE, res_type="soxr_hq")
    return audio


def features(audio: np.ndarray, hop: int, method: Method) -> np.ndarray:
    """MFCC (and deltas) per frame, normalised per recording: (n_features, frames)."""
    import librosa

    mfcc = librosa.feature.mfcc(
        y=audio, sr=RATE, n_mfcc=method.n_mfcc + 1, n_fft=512, hop_length=hop, n_mels=40
    )
    if method.skip_c0:
        mfcc = mfcc[1:]
    parts = [mfcc]
    if method.deltas:
        parts.append(librosa.feature.delta(mfcc, width=5))
    feats = np.concatenate(parts)
    feats -= feats.mean(axis=1, keepdims=True)
    feats /= feats.std(axis=1, keepdims=True) + 1e-8
    return feats


def warp(reference: np.ndarray, target: np.ndarray, method: Method) -> np.ndarray:
    """DTW path as (reference frame, target frame) pairs in time order."""
    import librosa

    _, path = librosa.sequence.dtw(X=reference, Y=target, metric=method.metric)
    return path[::-1]


def map_times(
    words: list[WordTiming], path: np.ndarray, hop_seconds: float, duration: float
) -> list[WordTiming]:
    """Each reference word boundary goes to where the path takes its frame."""
    first = np.full(path[:, 0].max() + 1, np.iinfo(np.int64).max)
    last = np.full(path[:, 0].max() + 1, -1)
    np.minimum.at(first, path[:, 0], path[:, 1])
    np.maximum.at(last, path[:, 0], path[:, 1])
    limit = len(first) - 1

    def frame(seconds: float) -> int:
        return min(max(round(seconds / hop_seconds), 0), limit)

    timings: list[WordTiming] = []
    previous_end = 0.0
    for word in words:
        start = first[frame(word.start)] * hop_seconds
        end = (last[max(frame(word.end) - 1, frame(word.start))] + 1) * hop_seconds
        start = min(max(start, previous_end), duration)
        end = min(max(end, start), duration)
        timings.append(WordTiming(word.word, round(start, 3), round(end, 3)))
        previous_end = end
    return timings


def align_to_reference(
    samples: np.ndarray,
    rate: int,
    reference: np.ndarray,
    reference_rate: int,
    words: list[WordTiming],
    method: Method = DEFAULT,
) -> list[WordTiming]:
    """Carry `words`, timed on `reference`, over to `samples` by DTW."""
    target = to_rate(samples, rate)
    ref = to_rate(reference, reference_rate)
    if target.size < RATE // 10:
        raise SnakereelError("audio is too short to align (under 0.1 s)")
    hop_seconds = max(method.hop, max(len(target), len(ref)) / RATE / MAX_FRAMES)
    hop = round(hop_seconds * RATE)
    hop_seconds = hop / RATE
    path = warp(features(ref, hop, method), features(target, hop, method), method)
    return map_times(words, path, hop_seconds, len(target) / RATE)


def align_audio(samples: np.ndarray, rate: int, text: str) -> list[WordTiming]:
    """Word timings for `text` spoken in `samples` (int16 mono at `rate`)."""
    samples = np.asarray(samples)
    if samples.ndim != 1:
        raise SnakereelError("expected mono audio samples")
    reference = reference_engine().synthesize(text)
    return align_to_reference(
        samples, rate, reference.samples, reference.sample_rate, reference.words
    )


def read_audio(path: str | Path, rate: int | None = None) -> tuple[np.ndarray, int]:
    """Any audio file ffmpeg reads -> int16 mono samples and their rate (or `rate`)."""
    path = Path(path)
    if not path.is_file():
        raise SnakereelError("audio file not found", file=path)
    match = re.search(r"Audio: .*?, (\d+) Hz", stderr_of(["-i", str(path)]))
    if not match:
        raise SnakereelError("no audio stream found", file=path)
    rate = rate or int(match.group(1))
    command = [ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0"]
    command += ["-ac", "1", "-ar", str(rate), "-f", "s16le", "-acodec", "pcm_s16le", "-"]
    done = subprocess.run(command, capture_output=True)
    if done.returncode != 0:
        raise SnakereelError("ffmpeg cannot decode the audio", file=path)
    return np.frombuffer(done.stdout, dtype="<i2"), rate


def recorded_speech(path: str | Path, text: str) -> Speech:
    """A recorded take as narration: mono 16-bit at TAKE_RATE, words aligned to `text`."""
    samples, rate = read_audio(path, TAKE_RATE)
    if samples.size < rate // 10:
        raise SnakereelError("the recorded take is empty or under 0.1 s", file=path)
    return Speech.from_samples(samples, rate, align_audio(samples, rate, text))


def add_arguments(parser) -> None:
    parser.add_argument("audio", help="the narration: any audio file ffmpeg reads")
    parser.add_argument("text", help="a UTF-8 text file with what is said ('-' reads stdin)")
    parser.add_argument("-o", "--output", required=True, help="words.json to write")


def run(args) -> int:
    if args.text == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(args.text).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SnakereelError("text file not found", file=args.text) from None
        except UnicodeDecodeError:
            raise SnakereelError("not UTF-8 text", file=args.text) from None
    text = " ".join(text.split())
    if not text:
        raise SnakereelError("text is empty", file=args.text)
    samples, rate = read_audio(args.audio)
    words = align_audio(samples, rate, text)
    write_json_atomic(args.output, [asdict(w) for w in words])
    print(f"{args.output}: {len(words)} words, {len(samples) / rate:.2f} s")
    return 0
