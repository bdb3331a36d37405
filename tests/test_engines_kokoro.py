"""Kokoro's real loading and synthesis code on a tiny random-weight model built here.

The model has Kokoro-82M's architecture where the code fixes it (decoder widths, style
size, frame rate) and is small elsewhere; its weights are random, so it babbles, but every
step runs for real: config + .pth from a folder or the Hugging Face cache layout, a .pt
voice pack, offline G2P, token timestamps, seeded sampling, the workflow's tts job.
"""

import json
import logging
import wave

import pytest

pytest.importorskip(
    "kokoro", reason="Kokoro is an extra: pip install -e .[kokoro] (CPU torch), see docs/engines.md"
)
torch = pytest.importorskip("torch")

from snakereel.tts.base import split_words  # noqa: E402
from snakereel.tts.kokoro import REPO_ID, WEIGHTS, KokoroEngine, english_g2p, model_files  # noqa: E402
from snakereel.tts.registry import speak  # noqa: E402
from snakereel.voice import voice_spec  # noqa: E402

from .test_engines import voice  # noqa: E402

PHONEMES = (
    ';:,.!?¡¿—…"«»“” '
    "abcdefghijklmnopqrstuvwxyzAIOQWY"
    "ɑɐɒæβɔçðʤəɚɛɜɟɡɥɨɪʝɯɰŋɳɲɴøɸθœɹɾɻʁɽʂʃʈʧʊʋʌɣɤχʎʒʔˈˌːʰʲ↓→↗↘ᵊᵻ"
)
VOCAB = {p: i + 1 for i, p in enumerate(dict.fromkeys(PHONEMES))}
CONFIG = {
    "vocab": VOCAB,
    "n_token": len(VOCAB) + 1,
    "hidden_dim": 512,  # the decoder's widths are fixed in Kokoro's code
    "style_dim": 128,
    "n_layer": 1,
    "max_dur": 4,  # random weights: ~2 frames (50 ms) per phoneme
    "dropout": 0.0,
    "n_mels": 80,
    "text_encoder_kernel_size": 3,
    "plbert": {
        "hidden_size": 32,
        "num_attention_heads": 2,
        "intermediate_size": 64,
        "max_position_embeddings": 512,
        "num_hidden_layers": 1,
        "dropout": 0.0,
    },
    "istftnet": {  # Kokoro-82M's upsampling: 600 samples (25 ms at 24 kHz) per frame
        "upsample_kernel_sizes": [20, 12],
        "upsample_rates": [10, 6],
        "gen_istft_hop_size": 5,
        "gen_istft_n_fft": 20,
        "resblock_dilation_sizes": [[1, 3, 5]],
        "resblock_kernel_sizes": [3],
        "upsample_initial_channel": 512,
    },
}
TEXT = "Small steps, every single day. Read one page!"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """A Kokoro model folder: config.json, random weights (.pth, fp16), voices/af_test.pt."""
    from kokoro import KModel

    folder = tmp_path_factory.mktemp("kokoro")
    torch.manual_seed(0)
    torch.save({}, folder / "empty.pth")
    model = KModel(repo_id=REPO_ID, config=CONFIG, model=str(folder / "empty.pth"))
    (folder / "empty.pth").unlink()
    parts = ("bert", "bert_encoder", "predictor", "text_encoder", "decoder")
    state = {p: {k: v.half() for k, v in getattr(model, p).state_dict().items()} for p in parts}
    torch.save(state, folder / WEIGHTS)
    (folder / "config.json").write_text(json.dumps(CONFIG, ensure_ascii=False))
    (folder / "voices").mkdir()
    torch.save(torch.randn(510, 1, 256) * 0.3, folder / "voices" / "af_test.pt")
    return folder


@pytest.fixture(scope="module")
def engine(model_dir):
    return KokoroEngine({"model": str(model_dir), "voice": "af_test", "seed": 1})


def test_speaks_with_word_timings_from_token_timestamps(engine):
    speech = engine.synthesize(TEXT)
    assert speech.sample_rate == 24000 and len(speech.samples) % 600 == 0
    assert [w.word for w in speech.words] == split_words(TEXT)
    previous_end = 0.0
    for word in speech.words:
        assert previous_end <= word.start < word.end <= speech.duration
        previous_end = word.end
    # a longer word takes longer: "single" has more phonemes than "day."
    durations = {w.word: w.end - w.start for w in speech.words}
    assert durations["single"] > durations["day."]


def test_same_text_and_seed_same_bytes(model_dir, engine):
    first = engine.synthesize(TEXT)
    engine.synthesize("Something else in between.")
    assert engine.synthesize(TEXT).samples.tobytes() == first.samples.tobytes()
    other = KokoroEngine({"model": str(model_dir), "voice": "af_test", "seed": 2})
    assert other.synthesize(TEXT).samples.tobytes() != first.samples.tobytes()


def test_speed_changes_the_length(model_dir, engine):
    slow = KokoroEngine({"model": str(model_dir), "voice": "af_test", "speed": 0.5})
    assert slow.synthesize(TEXT).duration > engine.synthesize(TEXT).duration * 1.5


def test_weights_from_the_hugging_face_cache(model_dir, tmp_path, monkeypatch):
    import huggingface_hub.constants

    snapshot = tmp_path / "models--hexgrad--Kokoro-82M" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (snapshot.parents[1] / "refs").mkdir()
    (snapshot.parents[1] / "refs" / "main").write_text("abc123")
    for name in ("config.json", WEIGHTS, "voices"):
        (snapshot / name).symlink_to(model_dir / name)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    assert model_files({}) == (snapshot / "config.json", snapshot / WEIGHTS)
    cached = KokoroEngine({"voice": "af_test"})
    assert cached.synthesize("Hello there.").duration > 0.1


def test_offline_english_g2p_needs_no_spacy_model():
    _, tokens = english_g2p(british=False)("Dr. Smith read 10,000 pages.")
    assert [t.text for t in tokens][:3] == ["Dr.", "Smith", "read"]
    assert all(t.phonemes for t in tokens if t.text[0].isalnum())


def test_spanish_through_espeak(model_dir):
    spanish = KokoroEngine({"model": str(model_dir), "voice": "af_test", "lang": "e"})
    speech = spanish.synthesize("Hola a todos, buenos días.")
    assert [w.word for w in speech.words] == ["Hola", "a", "todos,", "buenos", "días."]
    assert speech.words[-1].end <= speech.duration


def test_a_voice_pack_that_breaks_synthesis_falls_back(model_dir, caplog):
    """Real failure inside Kokoro's forward pass: a voice pack of the wrong width."""
    torch.save(torch.randn(510, 1, 100), model_dir / "voices" / "bad.pt")
    caplog.set_level(logging.INFO, "snakereel.tts")
    spec = voice_spec(
        voice(engines=["kokoro", "piper"], kokoro={"model": str(model_dir), "voice": "bad"})
    )
    spoken = speak("Hello there.", spec)
    assert (spoken.engine, spoken.fallback) == ("piper", True)
    assert "engine kokoro failed (RuntimeError" in caplog.text


def test_the_workflow_speaks_with_kokoro(model_dir, tmp_path):
    from .conftest import Workflow

    root = tmp_path / "project"
    (root / "channels/k/videos").mkdir(parents=True)
    (root / "channels/k/channel.yaml").write_text(
        f"title: K\nvoice:\n  engine: kokoro\n  kokoro: {{model: '{model_dir}', voice: af_test}}\n"
    )
    (root / "channels/k/videos/v.yaml").write_text(f"segments:\n  - {{id: a, text: '{TEXT}'}}\n")
    (root / "config.yaml").write_text("channels_dir: channels\n")
    flow = Workflow(root)
    flow.run("results/k/v/a/speech.json")
    folder = root / "results/k/v/a"
    meta = json.loads((folder / "speech.json").read_text())
    assert meta == {
        "engine": "kokoro",
        "voice": "af_test",
        "duration": meta["duration"],
        "fallback": False,
    }
    with wave.open(str(folder / "speech.wav")) as wav:
        assert wav.getframerate() == 24000
        assert meta["duration"] == round(wav.getnframes() / 24000, 3)
    words = json.loads((folder / "words.json").read_text())
    assert [w["word"] for w in words] == split_words(TEXT)
    assert not (root / "results/_models").exists()  # no Piper in this chain
