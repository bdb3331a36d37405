"""Snakemake job: final video + contact sheet + metadata -> a report page where the video plays."""

from snakereel.jobs import run_job
from snakereel.reportpage import video_page


def work(spec):
    video_page(
        snakemake.input.video,
        snakemake.input.contact,
        snakemake.input.metadata,
        snakemake.output[0],
        title=spec["title"],
        settings=spec["settings"],
    )


run_job(snakemake, work)
