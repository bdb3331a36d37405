"""Snakemake job: clips + narration + music -> the final video (video copied, audio mixed)."""

import logging
import sys

from snakereel.assemble import mix
from snakereel.jobs import run_job
from snakereel.mp4 import inspect
from snakereel.platforms import length_warning


def work(spec):
    loudness = spec["loudness"]
    mix(
        snakemake.input.clips,
        snakemake.input.wavs,
        snakemake.input.music,
        snakemake.output[0],
        fps=spec["fps"],
        volume=spec["volume"],
        ducking=spec["ducking"],
        target=loudness["target_lufs"],
        true_peak=loudness["true_peak"],
        audio_bitrate=spec["audio_bitrate"],
        log=snakemake.log[0],
    )
    seconds = inspect(snakemake.output[0]).duration
    warning = length_warning(snakemake.output[0], seconds, spec["platforms"], "measured")
    if warning:
        logging.getLogger("snakereel").warning("%s", warning)
        print(f"snakereel: warning: {warning}", file=sys.stderr)


run_job(snakemake, work)
