"""Snakemake job: the chosen stock file, kept only when every byte arrived."""

import json

from snakereel.footage import where_failed
from snakereel.jobs import run_job
from snakereel.layout import Layout
from snakereel.stock import download, download_store

WILDCARDS = snakemake.wildcards


def work(spec):
    script = Layout(snakemake.config["channels_dir"]).video_scripts(WILDCARDS.channel)
    with open(snakemake.input[0], encoding="utf-8") as handle:
        choice = json.load(handle)
    with where_failed(script / f"{WILDCARDS.video}.yaml", f"segment '{WILDCARDS.segment}'"):
        download(choice, snakemake.output[0], store=download_store())


run_job(snakemake, work)
