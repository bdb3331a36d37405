"""Engine chain, per-engine settings, the prepared Piper model, Chatterbox's adapter."""

import inspect
import json
import logging
import wave
from pathlib import Path

import numpy as np
import pytest

from snakereel.errors import EngineUnavailable, SnakereelError
from snakereel.project import load_channel, load_project
from snakereel.schema import validate
from snakereel.tts import chatterbox as cb
from snakereel.tts import kokoro, load_engine
from snakereel.tts.piper import prepare_model, resolve_voice
from snakereel.tts.registry import load, speak
from snakereel.voice import env_file, model_key, voice_spec

from .conftest import REPO

TEXT = "Small steps, every single day."


def voice(**settings) -> dict:
    return validate({"title": "x", "voice": settings}, "channel", Path("c.yaml"))["voice"]


def test_spec_holds_only_the_chained_engines():
    spec = voice_spec(voice(engines=["kokoro", "piper"], kokoro={"speed": 1.2}, seed=3))
    assert spec["engines"] == ["kokoro", "piper"]
    assert set(spec) == {"engines", "pause", "kokoro", "piper"}
    assert spec["kokoro"] == {"voice": "af_heart", "speed": 1.2, "lang": "a", "seed": 3}
    assert spec["piper"]["voice"] == "en_US-joe-medium" and spec["piper"]["seed"] == 3
    # a setting of an engine outside the chain shapes nothing, so it rebuilds nothing
    assert voice_spec(voice(kokoro={"speed": 1.5})) == voice_spec(voice())


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"kokoro": {"speed": 3}}, "voice.kokoro.speed: 3 is greater than the maximum of 2.0"),
        ({"kokoro": {"lang": "x"}}, "voice.kokoro.lang: 'x' is not allowed"),
        ({"chatterbox": {"cfg_weight": 2}}, "voice.chatterbox.cfg_weight: 2 is greater"),
        ({"chatterbox": {"temprature": 1}}, "did you mean 'temperature'?"),
        ({"engines": ["piper", "espeak"]}, "voice.engines[1]: 'espeak' is not allowed"),
        ({"speaker": -1}, "voice.speaker: -1 is less than the minimum of 0"),
    ],
)
def test_engine_settings_are_checked(settings, expected):
    with pytest.raises(SnakereelError, match=expected.replace("[", r"\[").replace("?", r"\?")):
        voice(**settings)


def channel_with(tmp_path, channel: str, video: str):
    (tmp_path / "ch" / "videos").mkdir(parents=True)
    (tmp_path / "ch" / "channel.yaml").write_text(channel)
    (tmp_path / "ch" / "videos" / "v.yaml").write_text(video)
    return load_channel(tmp_path / "ch")


def test_a_segment_overrides_engine_and_voice(tmp_path):
    channel = channel_with(
        tmp_path,
        "title: T\nvoice: {engines: [chatterbox, piper], seed: 4}\n",
        "segments:\n"
        "  - {id: a, text: One., voice: {engine: kokoro, kokoro: {voice: am_adam}}}\n"
        "  - {id: b, text: Two.}\n",
    )
    first, second = channel.videos["v"].segments
    spec = voice_spec(first.voice)
    assert spec["engines"] == ["kokoro"]
    assert spec["kokoro"]["voice"] == "am_adam" and spec["kokoro"]["seed"] == 4
    assert second.voice == channel.settings["voice"]  # the channel's voice


def test_a_bad_segment_override_names_the_segment(tmp_path):
    channel = channel_with(
        tmp_path, "title: T\n", "segments:\n  - {text: One., voice: {kokoro: {speed: 9}}}\n"
    )
    assert "v.yaml: segments[0].voice.kokoro.speed: 9 is greater" in str(channel.errors["v"])


def test_missing_engine_falls_back(caplog):
    """Chatterbox is not in the main environment (or has no model here): Piper speaks."""
    caplog.set_level(logging.INFO, "snakereel.tts")
    spoken = speak(TEXT, voice_spec(voice(engines=["chatterbox", "piper"], seed=5)))
    assert spoken.metadata() == {
        "engine": "piper",
        "voice": "en_US-joe-medium",
        "duration": round(spoken.duration, 3),
        "fallback": True,
    }
    assert "engine chatterbox failed" in caplog.text and "trying piper" in caplog.text
    alone = load_engine({"voice": "en_US-joe-medium", "seed": 5}).synthesize(TEXT)
    assert spoken.samples[: len(alone.samples)].tobytes() == alone.samples.tobytes()


def test_missing_model_falls_back(tmp_path, caplog):
    missing = str(tmp_path / "no-model")
    with pytest.raises(EngineUnavailable, match="Kokoro model not found.*hint: download"):
        kokoro.model_files({"model": missing})
    with pytest.raises(EngineUnavailable, match="Chatterbox model not found.*hint: download"):
        cb.checkpoint_dir({"model": missing})
    spec = voice_spec(voice(engines=["kokoro", "piper"], kokoro={"model": missing}))
    spoken = speak(TEXT, spec)
    assert (spoken.engine, spoken.fallback) == ("piper", True)


class Broken:
    voice_name = "broken"

    def synthesize(self, text):
        raise RuntimeError("out of memory")


def broken_first(name, settings):
    return Broken() if name == "kokoro" else load(name, settings)


def test_failing_synthesis_falls_back(caplog):
    spec = voice_spec(voice(engines=["kokoro", "piper"]))
    spoken = speak(TEXT, spec, loader=broken_first)
    assert (spoken.engine, spoken.fallback) == ("piper", True)
    assert "engine kokoro failed (RuntimeError('out of memory'))" in caplog.text


def test_a_single_engine_fails_clearly(tmp_path):
    spec = voice_spec(voice(engine="kokoro", kokoro={"model": str(tmp_path)}))
    with pytest.raises(SnakereelError, match="(model not found|not installed).*hint: "):
        speak(TEXT, spec)
    with pytest.raises(SnakereelError, match=r"kokoro synthesis failed: RuntimeError"):
        speak(TEXT, spec, loader=broken_first)
    spec = voice_spec(voice(engines=["kokoro", "chatterbox"], kokoro={"model": str(tmp_path)}))
    with pytest.raises(SnakereelError, match="no engine of the chain could speak: kokoro: .*"):
        speak(TEXT, spec)


def test_prepared_piper_model_speaks_the_same_bytes(tmp_path):
    prepared = tmp_path / "voice.onnx"
    prepare_model(resolve_voice("en_US-joe-medium")[0], prepared)
    settings = {"voice": "en_US-joe-medium", "seed": 2}
    fast = load_engine({**settings, "prepared": str(prepared)}).synthesize(TEXT)
    slow = load_engine(settings).synthesize(TEXT)
    assert fast.samples.tobytes() == slow.samples.tobytes() and fast.words == slow.words


def test_an_unusable_prepared_model_is_rebuilt_in_memory(tmp_path, caplog):
    prepared = tmp_path / "voice.onnx"
    prepared.write_bytes(b"not a model")
    speech = load_engine({"prepared": str(prepared)}).synthesize(TEXT)
    assert speech.duration > 1 and "unusable" in caplog.text


# ---- Chatterbox adapter against a stand-in with ChatterboxTTS's interface -------------


class FakeChatterbox:
    """ChatterboxTTS 0.1.7's `sr` and `generate` signature; a noisy tone between silences."""

    sr = 24000

    def __init__(self):
        self.calls = []

    def generate(
        self,
        text,
        repetition_penalty=1.2,
        min_p=0.05,
        top_p=1.0,
        audio_prompt_path=None,
        exaggeration=0.5,
        cfg_weight=0.5,
        temperature=0.8,
    ):
        self.calls.append(
            {
                "text": text,
                "audio_prompt_path": audio_prompt_path,
                "exaggeration": exaggeration,
                "cfg_weight": cfg_weight,
                "temperature": temperature,
            }
        )
        t = np.arange(int(self.sr * 2.0)) / self.sr
        tone = 0.5 * np.sin(2 * np.pi * 220 * t) + 0.01 * np.random.standard_normal(len(t))
        silence = np.zeros(int(self.sr * 0.3))
        return np.concatenate([silence, tone, silence, silence])[None, :]


def test_chatterbox_maps_every_setting(tmp_path):
    fake = FakeChatterbox()
    settings = {
        "sample_path": "me.wav",
        "sample_file": str(tmp_path / "me.wav"),
        "exaggeration": 0.9,
        "cfg_weight": 0.3,
        "temperature": 0.6,
        "seed": 4,
    }
    engine = cb.ChatterboxEngine(settings, model=fake)
    speech = engine.synthesize(TEXT)
    assert fake.calls == [
        {
            "text": TEXT,
            "audio_prompt_path": str(tmp_path / "me.wav"),
            "exaggeration": 0.9,
            "cfg_weight": 0.3,
            "temperature": 0.6,
        }
    ]
    assert engine.voice_name == "me.wav" and speech.sample_rate == 24000
    # the seed drives the sampling: same seed, same bytes; another seed, another take
    again = cb.ChatterboxEngine(settings, model=FakeChatterbox()).synthesize(TEXT)
    other = cb.ChatterboxEngine({**settings, "seed": 5}, model=FakeChatterbox()).synthesize(TEXT)
    assert again.samples.tobytes() == speech.samples.tobytes()
    assert other.samples.tobytes() != speech.samples.tobytes()
    # the same sample found elsewhere (another checkout, a cluster node): the same take
    moved = {**settings, "sample_file": "/elsewhere/me.wav"}
    elsewhere = cb.ChatterboxEngine(moved, model=FakeChatterbox()).synthesize(TEXT)
    assert elsewhere.samples.tobytes() == speech.samples.tobytes()


def test_chatterbox_defaults_use_the_builtin_voice():
    fake = FakeChatterbox()
    engine = cb.ChatterboxEngine({}, model=fake)
    engine.synthesize(TEXT)
    assert fake.calls[0]["audio_prompt_path"] is None and engine.voice_name == "builtin"
    assert (fake.calls[0]["exaggeration"], fake.calls[0]["cfg_weight"]) == (0.5, 0.5)


def test_chatterbox_kwargs_exist_in_the_real_signature():
    fake = inspect.signature(FakeChatterbox.generate).parameters
    assert set(cb.generate_kwargs({})) <= set(fake)
    real = pytest.importorskip("chatterbox.tts", reason="chatterbox-tts lives in its own env")
    assert set(cb.generate_kwargs({})) <= set(
        inspect.signature(real.ChatterboxTTS.generate).parameters
    )


def test_chatterbox_words_come_from_the_aligner():
    speech = cb.ChatterboxEngine({}, model=FakeChatterbox()).synthesize(TEXT)
    words = speech.words
    assert [w.word for w in words] == TEXT.split()
    assert all(a.end <= b.start + 1e-9 for a, b in zip(words, words[1:], strict=False))
    assert words[-1].end <= speech.duration


def test_without_the_aligner_piper_timings_are_scaled_onto_the_voiced_audio():
    speech = cb.ChatterboxEngine({}, model=FakeChatterbox()).synthesize(TEXT)
    words = cb.scaled_reference_timings(speech.samples, speech.sample_rate, TEXT)
    assert [w.word for w in words] == TEXT.split()
    assert words[0].start == pytest.approx(0.3, abs=0.06)
    assert words[-1].end == pytest.approx(2.3, abs=0.1)
    assert all(a.end <= b.start + 1e-9 for a, b in zip(words, words[1:], strict=False))


def test_chatterbox_missing_sample_or_package_is_unavailable():
    with pytest.raises(EngineUnavailable, match="voice sample me.wav not found"):
        cb.ChatterboxEngine({"sample_path": "me.wav", "sample_file": None}, model=FakeChatterbox())
    try:
        import chatterbox  # noqa: F401
    except ImportError:
        with pytest.raises(EngineUnavailable, match="Chatterbox is not installed.*conda"):
            cb.ChatterboxEngine({})


# ---- the workflow: speech.json, the conda env of each chain ---------------------------

FAKE_CONDA = """#!/bin/sh
# Stands in for conda, which cannot run here: answers the queries Snakemake makes.
case "$1" in
  --version) echo "conda 24.7.1";;
  info) echo '{"conda_version": "24.7.1", "root_prefix": "/x", "conda_prefix": "/x",
               "active_prefix": null, "envs_dirs": [], "pkgs_dirs": [], "platform": "linux-64"}';;
  config) echo '{"get": {"channel_priority": "strict"}}';;
  *) echo '{}';;
esac
"""


@pytest.fixture
def cloning(tmp_path):
    from .conftest import Workflow

    root = tmp_path / "project"
    (root / "channels/clone/videos").mkdir(parents=True)
    (root / "channels/clone/channel.yaml").write_text(
        "title: Clone\nvoice:\n  engines: [chatterbox, piper]\n"
        "  chatterbox: {sample_path: me.wav}\n"
    )
    (root / "channels/clone/videos/v.yaml").write_text(
        "segments:\n"
        "  - {id: a, text: Cloned if we can.}\n"
        "  - {id: b, text: Always Piper., voice: {engine: piper}}\n"
        "  - {id: c, text: Kokoro then Piper., voice: {engines: [kokoro, piper]}}\n"
    )
    (root / "config.yaml").write_text("channels_dir: channels\n")
    return Workflow(root)


def test_speech_json_records_the_engine_that_spoke(cloning):
    cloning.run("results/clone/v/a/speech.json", "results/clone/v/b/speech.json")
    results = cloning.root / "results/clone/v"
    first = json.loads((results / "a/speech.json").read_text())
    second = json.loads((results / "b/speech.json").read_text())
    assert (first["engine"], first["fallback"]) == ("piper", True)
    assert (second["engine"], second["fallback"]) == ("piper", False)
    with wave.open(str(results / "a/speech.wav")) as wav:
        assert first["duration"] == round(wav.getnframes() / wav.getframerate(), 3)
    log = (cloning.root / "logs/clone/v/a/tts.log").read_text()
    assert "engine chatterbox failed" in log and "spoken by piper" in log


def test_chains_with_chatterbox_use_its_conda_env(cloning, tmp_path, monkeypatch):
    conda = tmp_path / "bin" / "conda"
    conda.parent.mkdir()
    conda.write_text(FAKE_CONDA)
    conda.chmod(0o755)
    monkeypatch.setenv("PATH", f"{conda.parent}:{Path('/usr/bin')}:{Path('/bin')}")

    def envs(target):
        done = cloning.run(
            "--list-conda-envs", "--software-deployment-method", "conda", "--", target
        )
        return {Path(line.split()[0]).name for line in done.stdout.splitlines() if ".yaml" in line}

    assert envs("results/clone/v/a/speech.json") == {"chatterbox.yaml", "tts.yaml"}
    assert envs("results/clone/v/b/speech.json") == {"tts.yaml"}
    assert envs("results/clone/v/c/speech.json") == {"kokoro.yaml", "tts.yaml"}
    assert (REPO / "envs/chatterbox.yaml").is_file()


def test_voices_lists_engines_voices_and_how_to_get_models(tmp_path, monkeypatch, capsys):
    import argparse

    from snakereel.tts import registry

    try:  # an empty Hugging Face cache, whatever this machine has
        import huggingface_hub.constants

        monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    except ImportError:
        pass
    assert registry.run(argparse.Namespace(engine=None)) == 0
    out = capsys.readouterr().out
    assert "piper: installed" in out and "- en_US-joe-medium: " in out
    for engine, repo in (("kokoro", "hexgrad/Kokoro-82M"), ("chatterbox", "ResembleAI/chatterbox")):
        section = out.split(f"{engine}: ")[1]
        assert f"no model found: download {repo} once" in section.split("\n\n")[0]
    assert registry.run(argparse.Namespace(engine="piper")) == 0
    assert "kokoro" not in capsys.readouterr().out


def test_speech_inputs_env_and_models(tmp_path):
    channel_with(
        tmp_path,
        "title: T\nvoice: {engines: [chatterbox, piper], chatterbox: {sample_path: me.wav}}\n",
        "segments:\n"
        "  - {id: a, text: One.}\n"
        "  - {id: b, text: Two., voice: {engine: piper, voice: voices/my.onnx}}\n",
    )
    project = load_project(tmp_path, validate({"channels_dir": "."}, "config", "config.yaml"))
    first, second = project.video("ch", "v").segments
    models = "results/_models/piper"
    assert project.speech_inputs("ch", first) == {"piper_model": f"{models}/en_US-joe-medium.onnx"}
    (tmp_path / "ch" / "me.wav").write_bytes(b"RIFF")
    sample = project.speech_inputs("ch", first)["sample"]
    assert sample == str((tmp_path / "ch" / "me.wav").resolve())
    key = model_key("voices/my.onnx")
    assert key.startswith("my-") and project.speech_inputs("ch", second) == {
        "piper_model": f"{models}/{key}.onnx"
    }
    assert project.piper_voices() == {"en_US-joe-medium": "en_US-joe-medium", key: "voices/my.onnx"}
    assert (env_file(first.voice), env_file(second.voice)) == ("chatterbox.yaml", "tts.yaml")
