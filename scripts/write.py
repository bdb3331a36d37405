"""The write job: an idea of ideas.yaml becomes a video script (snakereel.writer)."""

from snakereel.jobs import run_job
from snakereel.writer import write_idea

run_job(
    snakemake,
    lambda spec: write_idea(
        spec, snakemake.wildcards.channel, snakemake.wildcards.video, snakemake.output[0]
    ),
)
