# Stock footage (docs/footage.md): one choice per video, one cached download per segment.
# Own clips need no rule: the render reads them from the channel folder.


rule footage_choice:
    output:
        LAYOUT.video(".footage.json"),
    log:
        LAYOUT.log("footage_choice", *VIDEO),
    benchmark:
        LAYOUT.benchmark("footage_choice", *VIDEO)
    conda:
        "../envs/media.yaml"
    # the provider's rate limits: one search job at a time
    resources:
        stock_api=1,
    params:
        job=job_file(spec=footage_choice_spec, channels_dir=channels_dir),
        files=job_files,
    message:
        "{wildcards.channel}/{wildcards.video}: choose stock footage for every stock segment"
    shell:
        job_line("footage_choice", *VIDEO)


# The segment's part of the video's choice: its own small file, so a download's cache key
# and a render's inputs change only when this segment's choice does.
rule footage_pick:
    input:
        LAYOUT.video(".footage.json"),
    output:
        LAYOUT.segment("footage.json"),
    log:
        LAYOUT.log("footage_pick", *SEGMENT),
    benchmark:
        LAYOUT.benchmark("footage_pick", *SEGMENT)
    localrule: True
    conda:
        "../envs/media.yaml"
    params:
        job=job_file(),
        files=job_files,
    message:
        "{wildcards.channel}/{wildcards.video}/{wildcards.segment}: stock choice"
    shell:
        job_line("footage_pick", *SEGMENT)


# Downloads are shared between videos and projects through a store keyed by the clip's
# url, in the between-workflow cache folder ($SNAKEMAKE_OUTPUT_CACHE/stock). Snakemake's
# own `cache:` cannot do this: it keys a job by the provenance of its inputs (the rule that
# made the choice file), not by their content, so every video would download again.
rule footage_download:
    input:
        LAYOUT.segment("footage.json"),
    output:
        LAYOUT.segment("footage.media"),
    log:
        LAYOUT.log("footage_download", *SEGMENT),
    benchmark:
        LAYOUT.benchmark("footage_download", *SEGMENT)
    conda:
        "../envs/media.yaml"
    params:
        job=job_file(channels_dir=channels_dir),
        files=job_files,
    message:
        "{wildcards.channel}/{wildcards.video}/{wildcards.segment}: download stock footage"
    shell:
        job_line("footage_download", *SEGMENT)
