rule render:
    input:
        image="results/{channel}/{video}/{segment}/image.png",
        wav="results/{channel}/{video}/{segment}/speech.wav",
        captions="results/{channel}/{video}/{segment}/captions.ass",
    output:
        "results/{channel}/{video}/{segment}/clip.mp4",
    log:
        "logs/{channel}/{video}/{segment}/render.log",
    benchmark:
        "benchmarks/{channel}/{video}/{segment}/render.tsv"
    conda:
        "../envs/media.yaml"
    threads: 2
    resources:
        gpu=lambda wildcards: int(encoder() == "h264_nvenc"),
    params:
        spec=render_spec,
    message:
        "{wildcards.channel}/{wildcards.video}/{wildcards.segment}: render clip ({threads} threads)"
    script:
        "../scripts/render.py"
