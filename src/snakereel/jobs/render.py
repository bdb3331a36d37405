"""Picture + speech + word timings -> captions.ass + clip.mp4.

The picture is a still (image.png) or footage (own clip, stock download): the builder is
picked by the segment's visual kind, carried in the spec."""

from ..captions import canvas_for, write_captions
from ..fonts import fonts_dir
from ..footage import background, render_footage, where_failed
from ..layout import Layout
from ..presets import Preset
from ..render import render_clip, wav_duration
from ..words import read_words


def work(job):
    spec, wildcards = job.spec, job.wildcards
    duration = wav_duration(job.input.wav)
    words = read_words(job.input.words)
    preset = Preset(**spec["preset"])
    canvas = canvas_for(preset.width, preset.height)
    write_captions(words, spec["captions"], duration, job.output.captions, canvas)
    kind, picture = background(spec.get("footage"), job.input)
    common = {
        "duration": duration,
        "preset": preset,
        "safe_zones": spec["safe_zones"],
        "encoder": spec["encoder"],
        "fonts": fonts_dir(spec["captions"]["font"]),
        "log": job.log,
    }
    args = (picture, job.input.wav, job.output.captions, job.output.clip)
    if kind == "still":
        render_clip(*args, motion=spec["motion"], **common)
        return
    script = Layout(job.params.channels_dir).video_scripts(wildcards.channel)
    with where_failed(script / f"{wildcards.video}.yaml", f"segment '{wildcards.segment}'"):
        footage = spec["footage"]
        render_footage(*args, loop=footage["loop"], focus=footage["focus"], **common)
