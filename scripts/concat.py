"""Snakemake job: clips -> visual.mp4 (stream copy) and voice.wav (narration, frame-exact)."""

from snakereel.assemble import concat_clips, join_voice
from snakereel.jobs import run_job


def work(spec):
    concat_clips(snakemake.input.clips, snakemake.output.video, log=snakemake.log[0])
    join_voice(snakemake.input.wavs, spec["fps"], snakemake.output.voice)


run_job(snakemake, work)
