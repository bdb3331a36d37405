rule music:
    output:
        "results/{channel}/music.wav",
    log:
        "logs/{channel}/music.log",
    benchmark:
        "benchmarks/{channel}/music.tsv"
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
        "results/{channel}/{video}.mp4",
    log:
        "logs/{channel}/{video}/mix.log",
    benchmark:
        "benchmarks/{channel}/{video}/mix.tsv"
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
        "results/{channel}/{video}.invalid",
    log:
        "logs/{channel}/{video}/invalid.log",
    benchmark:
        "benchmarks/{channel}/{video}/invalid.tsv"
    conda:
        "../envs/media.yaml"
    params:
        error=video_error,
    message:
        "{wildcards.channel}/{wildcards.video}: invalid video script"
    script:
        "../scripts/invalid.py"
