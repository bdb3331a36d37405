"""Every segment's clip -> the video's contact sheet."""

from .. import floor
from ..contact import contact_sheet


def work(job):
    spec = job.spec
    with floor.work():  # the frames come from ffmpeg, counted as its own; this is drawing
        contact_sheet(spec["title"], spec["segments"], list(job.input.clips), job.output[0])
