"""Snakemake job: clips + narration + music -> the final video (video copied, audio mixed)."""

from snakereel.assemble import mix
from snakereel.jobs import run_job


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


run_job(snakemake, work)
