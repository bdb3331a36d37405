"""Snakemake job: the segment's image (file, card or http provider) + how it was made."""

from snakereel.images import save_png
from snakereel.io import write_json_atomic
from snakereel.jobs import run_job
from snakereel.providers import produce, provider_policy


def work(spec):
    images = provider_policy(snakemake.wildcards.channel) if spec["source"] == "http" else {}
    image, record = produce(spec, images, list(snakemake.input))
    save_png(image, snakemake.output.image)
    write_json_atomic(snakemake.output.info, record)


run_job(snakemake, work)
