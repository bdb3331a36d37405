rule captions:
    input:
        words="results/{channel}/{video}/{segment}/words.json",
        wav="results/{channel}/{video}/{segment}/speech.wav",
    output:
        "results/{channel}/{video}/{segment}/captions.ass",
    log:
        "logs/{channel}/{video}/{segment}/captions.log",
    benchmark:
        "benchmarks/{channel}/{video}/{segment}/captions.tsv"
    conda:
        "../envs/media.yaml"
    params:
        spec=captions_spec,
    message:
        "{wildcards.channel}/{wildcards.video}/{wildcards.segment}: captions"
    script:
        "../scripts/captions.py"
