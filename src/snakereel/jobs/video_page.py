"""The video's metadata (stage times, engines, API calls, cache hits, cost) and its report
page, where the video plays beside the contact sheet and the timings."""

import json

from ..io import write_json_atomic
from ..metadata import collect, evict_fallbacks
from ..reportpage import video_page


def work(job):
    channel, video = job.wildcards.channel, job.wildcards.video
    files = json.loads(job.params.files)
    data = collect(channel, video, json.loads(job.params.metadata), files)
    write_json_atomic(job.output.metadata, data)
    evict_fallbacks(files, data["images"]["fallbacks"])
    video_page(
        job.input.video,
        job.input.contact,
        job.output.metadata,
        job.output.page,
        title=job.spec["title"],
        settings=job.spec["settings"],
    )
