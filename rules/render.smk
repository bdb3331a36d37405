rule render:
    input:
        unpack(render_inputs),
    output:
        # The captions are written by the render job: a caption change re-renders the clip
        # anyway, and a job per segment fewer saves a job start.
        captions=LAYOUT.segment("captions.ass"),
        clip=LAYOUT.segment("clip.mp4"),
    log:
        LAYOUT.log("render", *SEGMENT),
    benchmark:
        LAYOUT.benchmark("render", *SEGMENT)
    conda:
        "../envs/media.yaml"
    # One core in Snakemake's count, so that two renders run side by side on two cores;
    # x264 itself always runs two frame threads (render.ENCODER_THREADS): a lone render,
    # as in an edit, still has both cores, and the bytes never depend on --cores.
    threads: 1
    resources:
        gpu=lambda wildcards: int(video_encoder() == "h264_nvenc"),
    params:
        job=job_file(spec=render_spec, channels_dir=channels_dir),
        files=job_files,
    message:
        "{wildcards.channel}/{wildcards.video}/{wildcards.segment}: captions and clip"
    shell:
        job_line("render", *SEGMENT)
