import json
import subprocess

import numpy as np
import pytest

from snakereel.cli import main
from snakereel.ffmpeg import ffmpeg_exe
from snakereel.tts import Speech, load_engine
from snakereel.tts.align import align_audio, read_audio
from snakereel.tts.piper import split_words

TEXT = "Missing once is an accident. Missing twice is the start of a new habit."


@pytest.fixture(scope="module")
def take() -> Speech:
    """Another reading of TEXT: slower, livelier, other seed; timings from the model."""
    engine = load_engine(
        {"voice": "en_US-joe-medium", "length_scale": 1.3, "noise_scale": 0.9, "seed": 21}
    )
    return engine.synthesize(TEXT)


def start_errors(got, truth) -> np.ndarray:
    assert [w.word for w in got] == [w.word for w in truth]
    return np.array([abs(a.start - b.start) for a, b in zip(got, truth, strict=True)])


def test_aligned_words_land_on_the_spoken_words(take):
    words = align_audio(take.samples, take.sample_rate, TEXT)
    assert [w.word for w in words] == split_words(TEXT)
    errors = start_errors(words, take.words)
    assert np.median(errors) < 0.04 and errors.max() < 0.12, errors
    for before, after in zip(words, words[1:], strict=False):
        assert before.start <= before.end <= after.start
    assert words[-1].end <= take.duration


def test_leading_silence_and_another_sample_rate(take):
    import librosa

    pad = np.zeros(int(0.8 * take.sample_rate), dtype=np.int16)
    samples = np.concatenate([pad, take.samples]).astype(np.float32) / 32768
    resampled = librosa.resample(samples, orig_sr=take.sample_rate, target_sr=44100)
    words = align_audio((resampled * 32767).astype(np.int16), 44100, TEXT)
    errors = start_errors(words, take.words) - 0.8
    assert np.median(np.abs(errors)) < 0.04 and np.abs(errors).max() < 0.12, errors


def test_read_audio_mixes_down_any_file(tmp_path, take):
    take.with_silence(0).save(tmp_path / "take.wav", tmp_path / "words.json")
    stereo = tmp_path / "take.flac"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(tmp_path / "take.wav")]
        + ["-ac", "2", "-ar", "48000", str(stereo)],
        check=True,
    )
    samples, rate = read_audio(stereo)
    assert rate == 48000 and samples.dtype == np.int16
    assert abs(len(samples) / rate - take.duration) < 0.01


def test_align_command_writes_words_json(tmp_path, take, capsys):
    take.save(tmp_path / "take.wav", tmp_path / "truth.json")
    (tmp_path / "text.txt").write_text(TEXT + "\n", encoding="utf-8")
    out = tmp_path / "words.json"
    assert (
        main(["align", str(tmp_path / "take.wav"), str(tmp_path / "text.txt"), "-o", str(out)]) == 0
    )
    words = json.loads(out.read_text())
    assert [w["word"] for w in words] == split_words(TEXT)
    assert set(words[0]) == {"word", "start", "end"}
    assert "words.json" in capsys.readouterr().out


def test_align_command_errors_are_one_line(tmp_path, capsys):
    (tmp_path / "text.txt").write_text("hello", encoding="utf-8")
    missing = tmp_path / "nope.wav"
    assert main(["align", str(missing), str(tmp_path / "text.txt"), "-o", "w.json"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("snakereel: ") and "nope.wav" in err and len(err.splitlines()) == 1
    (tmp_path / "noise.wav").write_bytes(b"not audio at all")
    assert main(["align", str(tmp_path / "noise.wav"), str(tmp_path / "text.txt"), "-o", "w"]) == 1
    assert "noise.wav" in capsys.readouterr().err
