"""One segment's part of the video's stock choice."""

import json

from ..io import write_json_atomic


def work(job):
    with open(job.input[0], encoding="utf-8") as handle:
        choices = json.load(handle)["segments"]
    write_json_atomic(job.output[0], choices[job.wildcards.segment])
