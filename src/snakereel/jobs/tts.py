"""Text -> speech.wav + words.json + speech.json, through the engine chain.

Synthesis goes through the speech server (snakereel.tts.server), which keeps voices loaded
between jobs. A segment with a recorded take (`audio:`) is not synthesised: the take is
converted and its words aligned to the text."""

from pathlib import Path

from ..tts.server import synthesize


def recorded(job):
    from ..tts.align import recorded_speech  # numpy and librosa: recorded takes only

    take = job.input.take
    speech = recorded_speech(take, job.spec["text"]).with_silence(job.spec["pause"])
    return speech.spoken_by("recording", Path(take).name)


def work(job):
    spec = job.spec
    if "audio_sha256" in spec:
        result = recorded(job)
    else:
        voice = spec["voice"]
        if "piper" in voice:
            voice["piper"]["prepared"] = getattr(job.input, "piper_model", None)
        if "chatterbox" in voice:
            voice["chatterbox"]["sample_file"] = getattr(job.input, "sample", None)
        result = synthesize(spec["text"], voice)
    result.save(job.output.wav, job.output.words, job.output.meta)
