"""Snakemake job: stock footage for every stock segment of a video (one whole-video choice)."""

from snakereel.footage import where_failed
from snakereel.jobs import run_job
from snakereel.layout import Layout
from snakereel.providers import provider_policy
from snakereel.stock import choose_for_video

CHANNEL = snakemake.wildcards.channel


def work(spec):
    layout = Layout(snakemake.config["channels_dir"])
    with where_failed(layout.channel_folder(CHANNEL) / "channel.yaml"):
        stock = provider_policy(CHANNEL)["stock"]
        choose_for_video(
            spec, stock, layout.ledger(CHANNEL), snakemake.wildcards.video, snakemake.output[0]
        )


run_job(snakemake, work)
