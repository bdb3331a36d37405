"""Snakemake job: the patched, graph-optimised Piper model that every tts job loads."""

from snakereel.jobs import run_job
from snakereel.tts.piper import prepare_model, resolve_voice


def work(spec):
    model, _config = resolve_voice(spec["voice"])
    prepare_model(model, snakemake.output[0])


run_job(snakemake, work)
