"""Snakemake job: picture + speech + word timings -> captions.ass + clip.mp4.

The picture is a still (image.png) or footage (own clip, stock download): the builder is
picked by the segment's visual kind, carried in the spec."""

from snakereel.captions import canvas_for, write_captions
from snakereel.fonts import fonts_dir
from snakereel.footage import background, render_footage, where_failed
from snakereel.jobs import run_job
from snakereel.layout import Layout
from snakereel.presets import Preset
from snakereel.render import render_clip, wav_duration
from snakereel.words import read_words


def work(spec):
    duration = wav_duration(snakemake.input.wav)
    words = read_words(snakemake.input.words)
    preset = Preset(**spec["preset"])
    canvas = canvas_for(preset.width, preset.height)
    write_captions(words, spec["captions"], duration, snakemake.output.captions, canvas)
    kind, picture = background(spec.get("footage"), snakemake.input)
    common = {
        "duration": duration,
        "preset": preset,
        "safe_zones": spec["safe_zones"],
        "encoder": spec["encoder"],
        "fonts": fonts_dir(spec["captions"]["font"]),
        "log": snakemake.log[0],
    }
    args = (picture, snakemake.input.wav, snakemake.output.captions, snakemake.output.clip)
    if kind == "still":
        render_clip(*args, motion=spec["motion"], **common)
        return
    wildcards = snakemake.wildcards
    script = Layout(snakemake.config["channels_dir"]).video_scripts(wildcards.channel)
    with where_failed(script / f"{wildcards.video}.yaml", f"segment '{wildcards.segment}'"):
        footage = spec["footage"]
        render_footage(*args, loop=footage["loop"], focus=footage["focus"], **common)


run_job(snakemake, work)
