"""Snakemake job that fails on purpose: the video's script is invalid (see the message)."""

from snakereel.errors import SnakereelError
from snakereel.jobs import run_job


def work(spec):
    raise SnakereelError(snakemake.params.error)


run_job(snakemake, work)
