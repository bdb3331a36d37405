"""Fails on purpose: the video's script is invalid (see the message)."""

from ..errors import SnakereelError


def work(job):
    raise SnakereelError(job.params.error)
