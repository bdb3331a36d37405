"""Snakemake job: final video + contact sheet -> a report page where the video plays."""

from pathlib import Path

from snakereel.jobs import run_job
from snakereel.reportpage import video_benchmarks, video_page


def work(spec):
    video_page(
        snakemake.input.video,
        snakemake.input.contact,
        snakemake.output[0],
        title=spec["title"],
        settings=spec["settings"],
        benchmarks=video_benchmarks(Path("."), snakemake.wildcards.channel, spec["video"]),
    )


run_job(snakemake, work)
