"""Snakemake job: text -> speech.wav + words.json + speech.json, through the engine chain.

A segment with a recorded take (`audio:`) is not synthesised: the take is converted and
its words aligned to the text."""

from pathlib import Path

from snakereel.align import recorded_speech
from snakereel.io import write_json_atomic
from snakereel.jobs import run_job
from snakereel.tts.registry import Spoken, speak


def work(spec):
    if "audio_sha256" in spec:
        take = snakemake.input.take
        speech = recorded_speech(take, spec["text"]).with_silence(spec["pause"])
        spoken = Spoken(speech, "recording", Path(take).name, False)
    else:
        voice = spec["voice"]
        if "piper" in voice:
            voice["piper"]["prepared"] = getattr(snakemake.input, "piper_model", None)
        if "chatterbox" in voice:
            voice["chatterbox"]["sample_file"] = getattr(snakemake.input, "sample", None)
        spoken = speak(spec["text"], voice)
    spoken.speech.save(snakemake.output.wav, snakemake.output.words)
    write_json_atomic(snakemake.output.meta, spoken.metadata())


run_job(snakemake, work)
