"""Snakemake job: narration text -> speech.wav + words.json (Piper, word timings)."""

from snakereel.jobs import run_job
from snakereel.tts import load_engine


def work(spec):
    engine = load_engine(spec["voice"])
    speech = engine.synthesize(spec["text"]).with_silence(spec["voice"]["pause"])
    speech.save(snakemake.output.wav, snakemake.output.words)


run_job(snakemake, work)
