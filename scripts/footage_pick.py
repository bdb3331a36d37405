"""Snakemake job: one segment's part of the video's stock choice."""

import json

from snakereel.io import write_json_atomic
from snakereel.jobs import run_job


def work(spec):
    with open(snakemake.input[0], encoding="utf-8") as handle:
        choices = json.load(handle)["segments"]
    write_json_atomic(snakemake.output[0], choices[snakemake.wildcards.segment])


run_job(snakemake, work)
