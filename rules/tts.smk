from snakereel.tts import jobs as tts_jobs

PIPER_VOICES = tts_jobs.piper_voices(CHANNELS)


wildcard_constraints:
    model=r"[A-Za-z0-9][A-Za-z0-9_-]*",


rule piper_model:
    input:
        lambda wildcards: tts_jobs.piper_model_input(PIPER_VOICES[wildcards.model]),
    output:
        "results/_models/piper/{model}.onnx",
    log:
        "logs/_models/piper/{model}.log",
    benchmark:
        "benchmarks/_models/piper/{model}.tsv"
    conda:
        "../envs/tts.yaml"
    params:
        spec=lambda wildcards: canonical_json({"voice": PIPER_VOICES[wildcards.model]}),
    script:
        "../scripts/piper_model.py"


rule tts:
    input:
        unpack(lambda w: tts_jobs.inputs(channel_of(w), segment_of(w))),
    output:
        wav="results/{channel}/{video}/{segment}/speech.wav",
        words="results/{channel}/{video}/{segment}/words.json",
        meta="results/{channel}/{video}/{segment}/speech.json",
    log:
        "logs/{channel}/{video}/{segment}/tts.log",
    benchmark:
        "benchmarks/{channel}/{video}/{segment}/tts.tsv"
    conda:
        lambda w: f"../envs/{tts_jobs.env_file(channel_of(w), segment_of(w))}"
    params:
        spec=tts_spec,
    script:
        "../scripts/tts.py"
