"""Kokoro-82M: stock voices, word timings from Kokoro's own token timestamps, offline.

Offline means: the weights come from a configured folder or the Hugging Face cache and
are never downloaded at run time; English G2P is misaki's lexicon with espeak-ng for the
words it lacks, tokenised by spaCy's rule-based tokenizer (misaki's default spaCy model
would be downloaded on first use). Other languages are phonemized by espeak-ng.
Install with `pip install -e .[kokoro]`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path

import numpy as np

from ..errors import EngineUnavailable, SnakereelError
from .base import Speech, fill_word_gaps, split_words, word_bounds

REPO_ID = "hexgrad/Kokoro-82M"
WEIGHTS = "kokoro-v1_0.pth"
SAMPLE_RATE = 24000
ESPEAK_LANGS = {"e": "es", "f": "fr-fr", "h": "hi", "i": "it", "p": "pt-br"}
GET_MODEL = (
    f"download {REPO_ID} once (`hf download {REPO_ID}`), or set voice.kokoro.model "
    f"to a folder holding config.json, {WEIGHTS} and voices/"
)


def _cached(filename: str) -> Path | None:
    """A file of the Kokoro repository in the Hugging Face cache, without any download."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    found = try_to_load_from_cache(REPO_ID, filename)
    return Path(found) if isinstance(found, str) else None


def model_files(settings: dict) -> tuple[Path, Path]:
    """(config.json, weights) from the configured folder or the cache; else a clear error."""
    folder = settings.get("model")
    if folder:
        folder = Path(folder).expanduser()
        config = folder / "config.json"
        weights = sorted(folder.glob("*.pth"))
        if config.is_file() and weights:
            return config, weights[0]
        raise EngineUnavailable(
            f"Kokoro model not found in {folder}", field="voice.kokoro.model", hint=GET_MODEL
        )
    config, weights = _cached("config.json"), _cached(WEIGHTS)
    if config and weights:
        return config, weights
    raise EngineUnavailable(
        "Kokoro model not found in the Hugging Face cache", field="voice.kokoro", hint=GET_MODEL
    )


def voice_file(settings: dict) -> Path:
    name = settings.get("voice", "af_heart")
    if name.endswith(".pt"):
        path = Path(name).expanduser()
    elif settings.get("model"):
        path = Path(settings["model"]).expanduser() / "voices" / f"{name}.pt"
    else:
        path = _cached(f"voices/{name}.pt") or Path(f"voices/{name}.pt")
    if not path.is_file():
        raise EngineUnavailable(
            f"Kokoro voice '{name}' not found", field="voice.kokoro.voice", hint=GET_MODEL
        )
    return path


def english_g2p(british: bool):
    """misaki's English G2P, built without downloading a spaCy model."""
    import spacy
    from misaki import en, espeak

    class OfflineG2P(en.G2P):
        def __init__(self):  # en.G2P.__init__ downloads en_core_web_sm when it is missing
            self.version, self.british, self.unk = None, british, ""
            name = "en_core_web_sm"
            if spacy.util.is_package(name):  # better part-of-speech for homographs
                self.nlp = spacy.load(name, enable=["tok2vec", "tagger"])
            else:
                self.nlp = spacy.blank("en")
            self.lexicon = en.Lexicon(british)
            self.fallback = espeak.EspeakFallback(british=british)

    return OfflineG2P()


class KokoroEngine:
    def __init__(self, settings: dict, threads: int = 1):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # belt and braces: never download
        if importlib.util.find_spec("kokoro") is None:
            raise EngineUnavailable(
                "Kokoro is not installed", field="voice.engine", hint="pip install -e .[kokoro]"
            )
        config, weights = model_files(settings)  # before the slow imports: fail fast
        pack = voice_file(settings)
        import torch
        from kokoro import KModel, KPipeline

        torch.set_num_threads(threads)
        self.torch = torch
        self.settings = settings
        self.voice_name = settings.get("voice", "af_heart")
        self.lang = settings.get("lang", "a")
        config_dict = json.loads(Path(config).read_text(encoding="utf-8"))
        self.model = KModel(repo_id=REPO_ID, config=config_dict, model=str(weights)).eval()
        self.pack = torch.load(pack, map_location="cpu", weights_only=True)

        class Pipeline(KPipeline):
            def __init__(self, model, lang):  # KPipeline's own would build a downloading G2P
                self.repo_id, self.lang_code, self.model, self.voices = REPO_ID, lang, model, {}

        self.pipeline = Pipeline(self.model, self.lang)
        self.g2p = english_g2p(self.lang == "b") if self.lang in "ab" else None

    @classmethod
    def from_settings(cls, settings: dict) -> KokoroEngine:
        return cls(settings)

    def tokens(self, text: str) -> list:
        """misaki tokens (text, phonemes, whitespace) for the whole text."""
        if self.g2p is not None:
            return self.g2p(text)[1]
        from misaki import espeak
        from misaki.token import MToken

        g2p = espeak.EspeakG2P(language=ESPEAK_LANGS[self.lang])
        words = text.split()
        return [
            MToken(text=w, tag="", whitespace=" " if i < len(words) - 1 else "", phonemes=g2p(w)[0])
            for i, w in enumerate(words)
        ]

    def synthesize(self, text: str) -> Speech:
        s = self.settings
        key = json.dumps([s.get("seed", 0), text, s.get("speed", 1.0), self.voice_name])
        self.torch.manual_seed(int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little"))
        chunks, timed, offset = [], [], 0.0
        results = self.pipeline.generate_from_tokens(
            self.tokens(text), voice=self.pack, speed=s.get("speed", 1.0)
        )
        for result in results:
            audio = result.audio.numpy()
            for token in result.tokens or []:
                if token.start_ts is not None and token.end_ts is not None:
                    timed.append((token.text, offset + token.start_ts, offset + token.end_ts))
            chunks.append(audio)
            offset += len(audio) / SAMPLE_RATE
        if not chunks:
            raise SnakereelError("text has nothing to say", field="text")
        samples = (np.clip(np.concatenate(chunks), -1, 1) * 32767).astype(np.int16)
        words = split_words(text)
        return Speech.from_samples(
            samples, SAMPLE_RATE, word_timings(text, words, timed, len(samples))
        )


def word_timings(text: str, words: list[str], timed: list, total: int):
    """Give each text word the span of the Kokoro tokens found inside it."""
    bounds = word_bounds(text)
    spans: list[list[int]] = [[] for _ in words]
    cursor = 0
    for token_text, start, end in timed:
        found = text.find(token_text, cursor)
        if found < 0:
            continue
        cursor = found + len(token_text)
        for i, (left, right) in enumerate(bounds):
            if left <= found < right:
                spans[i] += [min(round(t * SAMPLE_RATE), total) for t in (start, end)]
                break
    return fill_word_gaps(words, spans, SAMPLE_RATE)


def describe() -> dict:
    installed = importlib.util.find_spec("kokoro") is not None
    voices, missing = [], None
    try:
        config, weights = model_files({})
        folder = Path(weights).parent
        voices = [
            (p.stem, f"{p} (Hugging Face cache)") for p in sorted((folder / "voices").glob("*.pt"))
        ]
        voices = voices or [("(weights only)", f"{weights} (Hugging Face cache)")]
    except EngineUnavailable as error:
        missing = error.hint
    return {
        "installed": installed,
        "install": "pip install -e .[kokoro]  (takes the CPU build of torch)",
        "models": f"voice.kokoro.model folder, or {REPO_ID} in the Hugging Face cache",
        "voices": voices,
        "missing": missing,
    }
