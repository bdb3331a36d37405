"""Snakemake job: per-video metadata (stage times, engines, API calls, cache hits, cost)."""

from snakereel.io import write_json_atomic
from snakereel.jobs import run_job
from snakereel.metadata import collect, evict_fallbacks


def work(spec):
    channel, video = snakemake.wildcards.channel, snakemake.wildcards.video
    data = collect(".", channel, video, spec)
    write_json_atomic(snakemake.output[0], data)
    evict_fallbacks(".", channel, video, data["images"]["fallbacks"])


run_job(snakemake, work)
