rule tts:
    input:
        tts_input,
    output:
        wav="results/{channel}/{video}/{segment}/speech.wav",
        words="results/{channel}/{video}/{segment}/words.json",
    log:
        "logs/{channel}/{video}/{segment}/tts.log",
    # Cached between workflows; Snakemake forbids `benchmark:` on cached rules (the
    # job logs its own wall time). Every output must stay named for the cache.
    cache: "omit-software"
    conda:
        "../envs/tts.yaml"
    params:
        spec=tts_spec,
    message:
        "{wildcards.channel}/{wildcards.video}/{wildcards.segment}: speech and word timings"
    script:
        "../scripts/tts.py"
