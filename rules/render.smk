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
    # One core in Snakemake's count, so that two renders run side by side on two cores;
    # x264 itself always runs two frame threads (render.ENCODER_THREADS): a lone render,
    # as in an edit, still has both cores, and the bytes never depend on --cores.
    threads: 1
    resources:
        gpu=lambda wildcards: int(encoder() == "h264_nvenc"),
    params:
        spec=render_spec,
    message:
        "{wildcards.channel}/{wildcards.video}/{wildcards.segment}: captions and clip"
    script:
        "../scripts/render.py"
