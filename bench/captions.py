"""How close the offline aligner puts each word's start to where it is really spoken.

Held-out text (never used while choosing the method) is spoken by Piper at other
length/noise scales and seeds; the truth is the model's own phoneme durations. The
aligner (`snakereel.tts.align.align_audio`, default Piper reference) gets only the audio and
the text. Baseline: the character-count estimate that earlier tools used (each word gets
a share of the audio proportional to its letters). Also shown, without a target: the same
takes pitch-shifted by +-3 semitones, a rough stand-in for another speaker.

    python bench/captions.py [--json]

Exit status 1 when the aligner misses the targets (median <= 40 ms, p95 <= 100 ms).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from snakereel.tts import (  # noqa: E402
    Speech,
    WordTiming,
    load_engine,  # noqa: E402
)
from snakereel.tts.align import align_audio  # noqa: E402

HELD_OUT = [
    "The lighthouse keeper counted ships until midnight, then wrote a short letter home.",
    "Why do we wait for Monday? Pick a moment, any moment, and begin right there.",
    "Seven hundred and twelve people signed up in March; only forty finished the course.",
    "Drink a glass of water before coffee. Stretch for a minute. Then open your laptop.",
    "Curiosity is cheap fuel. Follow one odd question today, and see where it leads you.",
    "She trained for the marathon through a cold, wet winter, and crossed the line smiling.",
]
TAKES = [  # how the held-out text is spoken: slower and livelier, faster and flatter
    {"length_scale": 1.25, "noise_scale": 0.9, "noise_w": 1.0, "seed": 101},
    {"length_scale": 0.85, "noise_scale": 0.45, "noise_w": 0.6, "seed": 202},
]
TARGET_MEDIAN_MS, TARGET_P95_MS = 40, 100


def char_count_estimate(words: list[WordTiming], duration: float) -> list[WordTiming]:
    letters = np.array([max(len(w.word), 1) for w in words], dtype=float)
    edges = np.concatenate([[0], np.cumsum(letters)]) / letters.sum() * duration
    return [WordTiming(w.word, edges[i], edges[i + 1]) for i, w in enumerate(words)]


def start_errors_ms(got: list[WordTiming], truth: list[WordTiming]) -> list[float]:
    assert [w.word for w in got] == [w.word for w in truth]
    return [abs(a.start - b.start) * 1000 for a, b in zip(got, truth, strict=True)]


def pitch_shifted(speech: Speech, semitones: float) -> np.ndarray:
    import librosa

    audio = speech.samples.astype(np.float32) / 32768
    shifted = librosa.effects.pitch_shift(audio, sr=speech.sample_rate, n_steps=semitones)
    return (np.clip(shifted, -1, 1) * 32767).astype(np.int16)


def summary(errors: list[float]) -> dict:
    values = np.array(errors)
    return {
        "words": len(values),
        "median_ms": round(float(np.median(values)), 1),
        "p95_ms": round(float(np.percentile(values, 95)), 1),
        "max_ms": round(float(values.max()), 1),
    }


def measure() -> dict:
    aligner, baseline, shifted = [], [], []
    audio_seconds = align_seconds = 0.0
    align_audio(np.zeros(22050, dtype=np.int16), 22050, "warm up")  # loads Piper, compiles DTW
    for settings in TAKES:
        engine = load_engine({"voice": "en_US-joe-medium", **settings})
        for text in HELD_OUT:
            take = engine.synthesize(text)
            start = time.perf_counter()
            words = align_audio(take.samples, take.sample_rate, text)
            align_seconds += time.perf_counter() - start
            audio_seconds += take.duration
            aligner += start_errors_ms(words, take.words)
            baseline += start_errors_ms(char_count_estimate(take.words, take.duration), take.words)
            for semitones in (3, -3):
                words = align_audio(pitch_shifted(take, semitones), take.sample_rate, text)
                shifted += start_errors_ms(words, take.words)
    result = {
        "aligner": summary(aligner),
        "char_count_baseline": summary(baseline),
        "aligner_pitch_shifted": summary(shifted),
        "audio_s": round(audio_seconds, 1),
        "align_s": round(align_seconds, 2),
    }
    result["median_ratio_baseline_over_aligner"] = round(
        result["char_count_baseline"]["median_ms"] / max(result["aligner"]["median_ms"], 0.1), 1
    )
    result["target_met"] = (
        result["aligner"]["median_ms"] <= TARGET_MEDIAN_MS
        and result["aligner"]["p95_ms"] <= TARGET_P95_MS
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    result = measure()
    if parser.parse_args().json:
        print(json.dumps(result, indent=1))
    else:
        print("word-start error (ms)       words  median    p95    max")
        for name in ("aligner", "char_count_baseline", "aligner_pitch_shifted"):
            row = result[name]
            print(
                f"{name:<26} {row['words']:>6} {row['median_ms']:>7} "
                f"{row['p95_ms']:>6} {row['max_ms']:>6}"
            )
        print(
            f"baseline/aligner median ratio: {result['median_ratio_baseline_over_aligner']}x; "
            f"aligned {result['audio_s']} s of speech in {result['align_s']} s; "
            f"target (median <= {TARGET_MEDIAN_MS}, p95 <= {TARGET_P95_MS}): "
            + ("met" if result["target_met"] else "MISSED")
        )
    return 0 if result["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
