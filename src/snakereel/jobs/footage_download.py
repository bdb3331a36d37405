"""The chosen stock file, kept only when every byte arrived."""

import json

from ..footage import where_failed
from ..layout import Layout
from ..stock import download, download_store


def work(job):
    wildcards = job.wildcards
    script = Layout(job.params.channels_dir).video_scripts(wildcards.channel)
    with open(job.input[0], encoding="utf-8") as handle:
        choice = json.load(handle)
    with where_failed(script / f"{wildcards.video}.yaml", f"segment '{wildcards.segment}'"):
        download(choice, job.output[0], store=download_store())
