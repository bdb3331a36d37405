"""Upload one final video to YouTube and write its receipt."""

from pathlib import Path

from ..publish import publish_video


def work(job):
    publish_video(
        job.spec,
        Path(job.input.video),
        Path(job.input.metadata),
        Path(job.output[0]),
        Path(job.params.ledger),
    )
