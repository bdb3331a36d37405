"""Snakemake job: the channel's generated background track."""

from snakereel.jobs import run_job
from snakereel.music import write_music


def work(spec):
    write_music(snakemake.output[0], spec["seed"])


run_job(snakemake, work)
