"""Snakemake job: narration text -> speech.wav + words.json (Piper, word timings).

A segment with a recorded take (`audio:`) is not synthesised: the take is converted and
its words aligned to the text."""

from snakereel.align import recorded_speech
from snakereel.jobs import run_job
from snakereel.tts import load_engine


def work(spec):
    if "audio_sha256" in spec:
        speech = recorded_speech(snakemake.input[0], spec["text"])
        speech = speech.with_silence(spec["pause"])
    else:
        engine = load_engine(spec["voice"])
        speech = engine.synthesize(spec["text"]).with_silence(spec["voice"]["pause"])
    speech.save(snakemake.output.wav, snakemake.output.words)


run_job(snakemake, work)
