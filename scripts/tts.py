"""Snakemake job: text -> speech.wav + words.json + speech.json, through the engine chain.

Synthesis goes through the speech server (snakereel.tts.server), which keeps voices loaded
between jobs. A segment with a recorded take (`audio:`) is not synthesised: the take is
converted and its words aligned to the text."""

from pathlib import Path

from snakereel.jobs import run_job
from snakereel.tts.server import synthesize


def recorded(spec):
    from snakereel.tts.align import recorded_speech  # numpy and librosa: recorded takes only

    take = snakemake.input.take
    speech = recorded_speech(take, spec["text"]).with_silence(spec["pause"])
    return speech.spoken_by("recording", Path(take).name)


def work(spec):
    if "audio_sha256" in spec:
        result = recorded(spec)
    else:
        voice = spec["voice"]
        if "piper" in voice:
            voice["piper"]["prepared"] = getattr(snakemake.input, "piper_model", None)
        if "chatterbox" in voice:
            voice["chatterbox"]["sample_file"] = getattr(snakemake.input, "sample", None)
        result = synthesize(spec["text"], voice)
    result.save(snakemake.output.wav, snakemake.output.words, snakemake.output.meta)


run_job(snakemake, work)
