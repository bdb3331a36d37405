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
        unpack(tts_inputs),
    output:
        wav="results/{channel}/{video}/{segment}/speech.wav",
        words="results/{channel}/{video}/{segment}/words.json",
        meta="results/{channel}/{video}/{segment}/speech.json",
    log:
        "logs/{channel}/{video}/{segment}/tts.log",
    # Cached between workflows; Snakemake forbids `benchmark:` on cached rules (the
    # job logs its own wall time). Every output must stay named for the cache.
    cache: "omit-software"
    conda:
        lambda w: f"../envs/{tts_jobs.env_file(channel_of(w), segment_of(w))}"
    params:
        spec=tts_spec,
    message:
        "{wildcards.channel}/{wildcards.video}/{wildcards.segment}: speech and word timings"
    script:
        "../scripts/tts.py"
