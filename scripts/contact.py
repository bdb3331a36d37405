"""Snakemake job: every segment's clip -> the video's contact sheet."""

from snakereel.contact import contact_sheet
from snakereel.jobs import run_job


def work(spec):
    contact_sheet(spec["title"], spec["segments"], list(snakemake.input.clips), snakemake.output[0])


run_job(snakemake, work)
