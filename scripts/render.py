"""Snakemake job: image + speech + captions -> clip.mp4."""

from snakereel.fonts import fonts_dir
from snakereel.jobs import run_job
from snakereel.presets import Preset
from snakereel.render import render_clip, wav_duration


def work(spec):
    render_clip(
        snakemake.input.image,
        snakemake.input.wav,
        snakemake.input.captions,
        snakemake.output[0],
        duration=wav_duration(snakemake.input.wav),
        preset=Preset(**spec["preset"]),
        motion=spec["motion"],
        encoder=spec["encoder"],
        fonts=fonts_dir(spec["font"]),
        threads=snakemake.threads,
        log=snakemake.log[0],
    )


run_job(snakemake, work)
