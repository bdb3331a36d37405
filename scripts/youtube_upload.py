"""Snakemake job: upload one final video to YouTube and write its receipt."""

from pathlib import Path

from snakereel.jobs import run_job
from snakereel.publish import publish_video


def work(spec):
    publish_video(
        spec,
        Path(snakemake.input.video),
        Path(snakemake.input.metadata),
        Path(snakemake.output[0]),
        Path(snakemake.params.ledger),
    )


run_job(snakemake, work)
