"""An idea of ideas.yaml becomes a video script (snakereel.writer)."""

from ..writer import write_idea


def work(job):
    write_idea(job.spec, job.wildcards.channel, job.wildcards.video, job.output[0])
