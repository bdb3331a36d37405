rule image:
    input:
        image_input,
    output:
        "results/{channel}/{video}/{segment}/image.png",
    log:
        "logs/{channel}/{video}/{segment}/image.log",
    benchmark:
        "benchmarks/{channel}/{video}/{segment}/image.tsv"
    conda:
        "../envs/media.yaml"
    params:
        spec=image_spec,
    message:
        "{wildcards.channel}/{wildcards.video}/{wildcards.segment}: image"
    script:
        "../scripts/image.py"
