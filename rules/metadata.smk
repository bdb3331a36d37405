# Per-video metadata for the cost tracker (`snakereel costs`); never cached.
rule metadata:
    input:
        video="results/{channel}/{video}.mp4",
        images=lambda wildcards: segment_files(wildcards, "image.json"),
    output:
        "results/{channel}/{video}.json",
    log:
        "logs/{channel}/{video}/metadata.log",
    benchmark:
        "benchmarks/{channel}/{video}/metadata.tsv"
    conda:
        "../envs/media.yaml"
    params:
        spec=metadata_spec,
    script:
        "../scripts/metadata.py"
