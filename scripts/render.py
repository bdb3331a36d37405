"""Snakemake job: image + speech + word timings -> captions.ass + clip.mp4."""

from snakereel.captions import canvas_for, write_captions
from snakereel.fonts import fonts_dir
from snakereel.jobs import run_job
from snakereel.presets import Preset
from snakereel.render import render_clip, wav_duration
from snakereel.words import read_words


def work(spec):
    duration = wav_duration(snakemake.input.wav)
    words = read_words(snakemake.input.words)
    preset = Preset(**spec["preset"])
    canvas = canvas_for(preset.width, preset.height)
    write_captions(words, spec["captions"], duration, snakemake.output.captions, canvas)
    render_clip(
        snakemake.input.image,
        snakemake.input.wav,
        snakemake.output.captions,
        snakemake.output.clip,
        duration=duration,
        preset=preset,
        motion=spec["motion"],
        safe_zones=spec["safe_zones"],
        encoder=spec["encoder"],
        fonts=fonts_dir(spec["captions"]["font"]),
        log=snakemake.log[0],
    )


run_job(snakemake, work)
