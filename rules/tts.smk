PIPER_VOICES = PROJECT.piper_voices()


rule piper_model:
    input:
        # a voice given as a .onnx path is an input of its prepared model
        lambda w: piper_model_files(PIPER_VOICES[w.model]),
    output:
        LAYOUT.model(),
    log:
        LAYOUT.log("{model}", *MODELS),
    benchmark:
        LAYOUT.benchmark("{model}", *MODELS)
    conda:
        "../envs/tts.yaml"
    params:
        job=job_file(
            spec=lambda wildcards: canonical_json(
                {"voice": PIPER_VOICES[wildcards.model]}
            )
        ),
        files=job_files,
    shell:
        job_line("piper_model")


rule tts:
    input:
        unpack(tts_inputs),
    output:
        wav=LAYOUT.segment("speech.wav"),
        words=LAYOUT.segment("words.json"),
        meta=LAYOUT.segment("speech.json"),
    log:
        LAYOUT.log("tts", *SEGMENT),
    # Cached between workflows; Snakemake forbids `benchmark:` on cached rules (the
    # job logs its own wall time). Every output must stay named for the cache.
    cache: "omit-software"
    conda:
        tts_env
    params:
        job=job_file(spec=tts_spec),
        files=job_files,
    message:
        "{wildcards.channel}/{wildcards.video}/{wildcards.segment}: speech and word timings"
    shell:
        job_line("tts", *SEGMENT)
