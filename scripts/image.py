"""Snakemake job: the segment's image file fitted to the frame, or a generated card."""

from pathlib import Path

from snakereel.images import load_image_file, make_card, save_png
from snakereel.jobs import run_job


def work(spec):
    if spec["source"] == "file":
        image = load_image_file(Path(snakemake.input[0]))
    else:
        style = spec["images"]
        image = make_card(style["palette"], style["accent"], spec["title"], spec["seed"])
    save_png(image, snakemake.output[0])


run_job(snakemake, work)
