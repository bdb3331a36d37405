"""A segment with its own recorded take: converted, aligned, rebuilt when the take changes."""

import os
import subprocess

import numpy as np
import pytest

from snakereel.errors import SnakereelError
from snakereel.ffmpeg import ffmpeg_exe
from snakereel.project import load_channel
from snakereel.tts import load_engine
from snakereel.tts.base import read_wav
from snakereel.words import read_words

pytestmark = pytest.mark.slow

CHANNEL = "channels/momentum_mindset"
SEGMENT = "results/momentum_mindset/day-01/bad-days"
TEXT = "On a bad day, do the smallest version and call it a win. Never miss twice."


def record_take(path, seed: int):
    """A 'recorded' take: Piper at another pace, saved as 44.1 kHz stereo like a microphone."""
    engine = load_engine({"voice": "en_US-joe-medium", "length_scale": 1.35, "seed": seed})
    speech = engine.synthesize(TEXT)
    plain = path.with_name("plain.wav")
    speech.save(plain, path.with_name("truth.json"))
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-i", str(plain), "-ac", "2", "-ar", "44100"]
        + ["-c:a", "pcm_s24le", str(path)],
        check=True,
    )
    plain.unlink()
    return speech


def test_recorded_take_replaces_tts(workflow):
    assets = workflow.root / CHANNEL / "assets"
    assets.mkdir()
    take = record_take(assets / "take.wav", seed=3)
    workflow.edit(
        f"{CHANNEL}/videos/day-01.yaml",
        "    motion: static\n",
        "    motion: static\n    audio: assets/take.wav\n",
    )
    target = f"{SEGMENT}/words.json"
    workflow.run(target)

    samples, rate = read_wav(workflow.root / SEGMENT / "speech.wav")
    assert rate == 22050  # mono 16-bit (read_wav checks), at the voices' rate
    assert abs(len(samples) / rate - (take.duration + 0.35)) < 0.01
    words = read_words(workflow.root / target)
    assert [w.word for w in words] == [w.word for w in take.words]
    errors = np.array([abs(a.start - b.start) for a, b in zip(words, take.words, strict=True)])
    assert np.median(errors) < 0.04 and errors.max() < 0.12, errors

    # the voice no longer shapes this segment; the take's content does, whatever its mtime
    workflow.edit(f"{CHANNEL}/channel.yaml", "seed: 7", "seed: 8")
    assert workflow.planned_outputs(target) == set()
    stat = os.stat(assets / "take.wav")
    record_take(assets / "take.wav", seed=4)
    os.utime(assets / "take.wav", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert workflow.planned_outputs(target) == {
        f"{SEGMENT}/speech.wav",
        f"{SEGMENT}/speech.json",
        target,
    }


def test_take_must_exist_inside_the_channel(workflow):
    video = f"{CHANNEL}/videos/day-01.yaml"
    workflow.edit(video, "    motion: static\n", "    motion: static\n    audio: ../take.wav\n")
    (workflow.root / "channels" / "take.wav").write_bytes(b"")
    channel = load_channel(workflow.root / CHANNEL)
    error = channel.errors["day-01"]
    assert isinstance(error, SnakereelError) and error.field == "segments[4].audio"
    assert "inside the channel" in error.message
    workflow.edit(video, "audio: ../take.wav", "audio: missing.wav")
    error = load_channel(workflow.root / CHANNEL).errors["day-01"]
    assert error.field == "segments[4].audio" and "missing.wav" in error.message
