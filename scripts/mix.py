"""Snakemake job: visual.mp4 + voice.wav + music -> the final video."""

from snakereel.assemble import mix
from snakereel.jobs import run_job


def work(spec):
    loudness = spec["loudness"]
    mix(
        snakemake.input.video,
        snakemake.input.voice,
        snakemake.input.music,
        snakemake.output[0],
        volume=spec["volume"],
        ducking=spec["ducking"],
        target=loudness["target_lufs"],
        true_peak=loudness["true_peak"],
        audio_bitrate=spec["audio_bitrate"],
        log=snakemake.log[0],
    )


run_job(snakemake, work)
