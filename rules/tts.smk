rule tts:
    input:
        tts_input,
    output:
        wav="results/{channel}/{video}/{segment}/speech.wav",
        words="results/{channel}/{video}/{segment}/words.json",
    log:
        "logs/{channel}/{video}/{segment}/tts.log",
    benchmark:
        "benchmarks/{channel}/{video}/{segment}/tts.tsv"
    conda:
        "../envs/tts.yaml"
    params:
        spec=tts_spec,
    message:
        "{wildcards.channel}/{wildcards.video}/{wildcards.segment}: speech and word timings"
    script:
        "../scripts/tts.py"
