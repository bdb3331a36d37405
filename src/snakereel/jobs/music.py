"""The channel's generated background track."""

from .. import floor
from ..music import write_music


def work(job):
    with floor.work():
        write_music(job.output[0], job.spec["seed"])
