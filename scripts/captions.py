"""Snakemake job: words.json -> captions.ass."""

from snakereel.captions import write_captions
from snakereel.jobs import run_job
from snakereel.tts.base import read_wav, read_words


def work(spec):
    samples, rate = read_wav(snakemake.input.wav)
    words = read_words(snakemake.input.words)
    write_captions(words, spec["style"], len(samples) / rate, snakemake.output[0])


run_job(snakemake, work)
