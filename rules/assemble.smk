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
        spec=lambda wildcards: canonical_json(
            {"seed": channel_of(wildcards).settings["music"]["seed"]}
        ),
    message:
        "{wildcards.channel}: generate the background music"
    script:
        "../scripts/music.py"


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
        spec=mix_spec,
    message:
        "{wildcards.channel}/{wildcards.video}: join the clips, mix voice and music, normalise"
    script:
        "../scripts/mix.py"


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
        error=video_error,
    message:
        "{wildcards.channel}/{wildcards.video}: invalid video script"
    script:
        "../scripts/invalid.py"
