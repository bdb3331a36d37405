"""Stock footage for every stock segment of a video (one whole-video choice)."""

from ..footage import where_failed
from ..layout import Layout
from ..providers import provider_policy
from ..stock import choose_for_video


def work(job):
    channel = job.wildcards.channel
    layout = Layout(job.params.channels_dir)
    with where_failed(layout.channel_folder(channel) / "channel.yaml"):
        stock = provider_policy(channel)["stock"]
        choose_for_video(
            job.spec, stock, layout.ledger(channel), job.wildcards.video, job.output[0]
        )
