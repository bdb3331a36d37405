rule render:
    input:
        image="results/{channel}/{video}/{segment}/image.png",
        wav="results/{channel}/{video}/{segment}/speech.wav",
        words="results/{channel}/{video}/{segment}/words.json",
    output:
        # The captions are written by the render job: a caption change re-renders the clip
        # anyway, and one job per segment fewer is ~0.15 CPU s and one job start saved.
        captions="results/{channel}/{video}/{segment}/captions.ass",
        clip="results/{channel}/{video}/{segment}/clip.mp4",
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
        "{wildcards.channel}/{wildcards.video}/{wildcards.segment}: captions and clip ({threads} threads)"
    script:
        "../scripts/render.py"
