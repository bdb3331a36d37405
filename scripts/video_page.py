"""Snakemake job: the video's metadata (stage times, engines, API calls, cache hits, cost)
and its report page, where the video plays beside the contact sheet and the timings."""

import json

from snakereel.io import write_json_atomic
from snakereel.jobs import run_job
from snakereel.metadata import collect, evict_fallbacks
from snakereel.reportpage import video_page


def work(spec):
    channel, video = snakemake.wildcards.channel, snakemake.wildcards.video
    files = json.loads(snakemake.params.files)
    data = collect(channel, video, json.loads(snakemake.params.metadata), files)
    write_json_atomic(snakemake.output.metadata, data)
    evict_fallbacks(files, data["images"]["fallbacks"])
    video_page(
        snakemake.input.video,
        snakemake.input.contact,
        snakemake.output.metadata,
        snakemake.output.page,
        title=spec["title"],
        settings=spec["settings"],
    )


run_job(snakemake, work)
