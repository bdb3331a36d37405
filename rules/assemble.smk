rule music:
    output:
        LAYOUT.channel("music.wav"),
    log:
        LAYOUT.log("music", *CHANNEL),
    benchmark:
        LAYOUT.benchmark("music", *CHANNEL)
    conda:
        "../envs/media.yaml"
    params:
        job=job_file(
            spec=lambda wildcards: canonical_json(
                {"seed": channel_of(wildcards).settings["music"]["seed"]}
            )
        ),
        files=job_files,
    message:
        "{wildcards.channel}: generate the background music"
    shell:
        job_line("music", *CHANNEL)


rule mix:
    input:
        clips=lambda wildcards: segment_files(wildcards, "clip.mp4"),
        wavs=lambda wildcards: segment_files(wildcards, "speech.wav"),
        music=music_input,
    output:
        LAYOUT.video(".mp4"),
    log:
        LAYOUT.log("mix", *VIDEO),
    benchmark:
        LAYOUT.benchmark("mix", *VIDEO)
    conda:
        "../envs/media.yaml"
    params:
        job=job_file(spec=mix_spec),
        files=job_files,
    message:
        "{wildcards.channel}/{wildcards.video}: join the clips, mix voice and music, normalise"
    shell:
        job_line("mix", *VIDEO)


rule invalid_video:
    output:
        LAYOUT.video(".invalid"),
    log:
        LAYOUT.log("invalid", *VIDEO),
    benchmark:
        LAYOUT.benchmark("invalid", *VIDEO)
    conda:
        "../envs/media.yaml"
    params:
        job=job_file(error=video_error),
        files=job_files,
    message:
        "{wildcards.channel}/{wildcards.video}: invalid video script"
    shell:
        job_line("invalid", *VIDEO)
