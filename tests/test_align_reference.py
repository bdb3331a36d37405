"""The aligner's reference: Piper's words.json must match the model's own durations.

The truth comes from piper-tts itself (its alignment mode, unpatched noise), not from our
code. With `noise_w` = 0 the model's phoneme durations are deterministic, so both runs
must agree, word by word, across sentence boundaries and punctuation pauses.
"""

import numpy as np
import pytest

from snakereel.tts import load_engine
from snakereel.tts.piper import resolve_voice

TEXT = "Red, green and blue. Then yellow; then purple! Why orange? Because... black."
# espeak says "Because... black" as one phoneme-word; "Why" gains a linking glide in context
GROUPS = [[0], [1], [2], [3], [4], [5], [6], [7], [8], [9], [10, 11]]
SILENT = set(" .,;:!?…—") | {"^", "$", "_", "ˈ", "ˌ"}


def model_words(text: str) -> tuple[list[tuple[float, float]], float]:
    """(start, end) seconds of each phoneme-word by piper-tts's own alignments."""
    from piper import PiperVoice, SynthesisConfig

    model, _ = resolve_voice("en_US-joe-medium")
    voice = PiperVoice.load(model, include_alignments=True)
    config = SynthesisConfig(noise_w_scale=0.0, noise_scale=0.667, length_scale=1.0)
    spans, offset, rate = [], 0, voice.config.sample_rate
    for chunk in voice.synthesize(text, config, include_alignments=True):
        assert chunk.phoneme_alignments, "piper-tts gave no alignments"
        assert sum(a.num_samples for a in chunk.phoneme_alignments) == len(chunk.audio_int16_array)
        position, current = offset, None
        for item in chunk.phoneme_alignments:
            if item.phoneme == " " and current:
                spans.append(tuple(current))
                current = None
            elif item.phoneme not in SILENT:
                start, end = position / rate, (position + item.num_samples) / rate
                current = [current[0] if current else start, end]
            position += item.num_samples
        if current:
            spans.append(tuple(current))
        offset = position
    return spans, offset / rate


def test_piper_word_timings_match_the_model_durations():
    truth, duration = model_words(TEXT)
    engine = load_engine({"voice": "en_US-joe-medium", "noise_w": 0.0, "seed": 3})
    speech = engine.synthesize(TEXT)
    assert len(truth) == len(GROUPS) and len(speech.words) == 12
    assert speech.duration == pytest.approx(duration, abs=0.001)
    words = speech.words
    starts = np.array([words[g[0]].start for g in GROUPS]) - [s for s, _ in truth]
    ends = np.array([words[g[-1]].end for g in GROUPS]) - [e for _, e in truth]
    assert np.abs(starts).max() <= 0.010, starts
    assert np.abs(ends).max() <= 0.010, ends
    # the text really has pauses: sentence breaks well over 100 ms between words
    gaps = [b[0] - a[1] for a, b in zip(truth, truth[1:], strict=False)]
    assert sum(gap > 0.1 for gap in gaps) >= 4
