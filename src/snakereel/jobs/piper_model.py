"""The patched, graph-optimised Piper model that every tts job loads."""

from ..tts.piper import prepare_model, resolve_voice


def work(job):
    model, _config = resolve_voice(job.spec["voice"])
    prepare_model(model, job.output[0])
