"""Snakemake job: the segment's image (file, card or http provider) + how it was made."""

from pathlib import Path

from snakereel.images import save_png
from snakereel.io import write_json_atomic
from snakereel.jobs import run_job
from snakereel.providers import produce


def provider_policy():
    from snakereel.config import load_yaml, validate

    # Provider policy (key variable, retries, timeout, fallback) is read now, not from
    # params: changing it must neither rebuild images nor miss the cache.
    path = Path(snakemake.config["channels_dir"]) / snakemake.wildcards.channel / "channel.yaml"
    return validate(load_yaml(path), "channel", path)["images"]


def work(spec):
    images = provider_policy() if spec["source"] == "http" else {}
    image, record = produce(spec, images, list(snakemake.input))
    save_png(image, snakemake.output.image)
    write_json_atomic(snakemake.output.info, record)


run_job(snakemake, work)
