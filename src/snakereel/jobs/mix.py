"""Clips + narration + music -> the final video (video copied, audio mixed)."""

import logging
import sys

from ..assemble import mix
from ..mp4 import inspect
from ..platforms import length_warning


def work(job):
    spec, final = job.spec, job.output[0]
    loudness = spec["loudness"]
    mix(
        job.input.clips,
        job.input.wavs,
        job.input.music,
        final,
        fps=spec["fps"],
        volume=spec["volume"],
        ducking=spec["ducking"],
        target=loudness["target_lufs"],
        true_peak=loudness["true_peak"],
        audio_bitrate=spec["audio_bitrate"],
        log=job.log,
    )
    warning = length_warning(final, inspect(final).duration, spec["platforms"], "measured")
    if warning:
        logging.getLogger("snakereel").warning("%s", warning)
        print(f"snakereel: warning: {warning}", file=sys.stderr)
