"""The segment's image (file, card or http provider) + how it was made."""

from .. import floor
from ..images import save_png
from ..io import write_json_atomic
from ..providers import produce, provider_policy


def work(job):
    spec = job.spec
    images = provider_policy(job.wildcards.channel) if spec["source"] == "http" else {}
    with floor.work():
        image, record = produce(spec, images, list(job.input))
        save_png(image, job.output.image)
    write_json_atomic(job.output.info, record)
