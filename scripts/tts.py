"""Snakemake job: text -> speech.wav + words.json + speech.json, through the engine chain."""

from snakereel.io import write_json_atomic
from snakereel.jobs import run_job
from snakereel.tts.registry import speak


def work(spec):
    voice = spec["voice"]
    if "piper" in voice:
        voice["piper"]["prepared"] = getattr(snakemake.input, "piper_model", None)
    if "chatterbox" in voice:
        voice["chatterbox"]["sample_file"] = getattr(snakemake.input, "sample", None)
    spoken = speak(spec["text"], voice)
    spoken.speech.save(snakemake.output.wav, snakemake.output.words)
    write_json_atomic(snakemake.output.meta, spoken.metadata())


run_job(snakemake, work)
