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
        spec=footage_choice_spec,
    message:
        "{wildcards.channel}/{wildcards.video}: choose stock footage for every stock segment"
    script:
        "../scripts/footage_choice.py"


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
    message:
        "{wildcards.channel}/{wildcards.video}/{wildcards.segment}: stock choice"
    script:
        "../scripts/footage_pick.py"


# Cached between workflows: the key is the choice file alone, so a clip is fetched once
# for every video and project. No benchmark on cached rules: the job logs its time.
rule footage_download:
    input:
        LAYOUT.segment("footage.json"),
    output:
        LAYOUT.segment("footage.media"),
    log:
        LAYOUT.log("footage_download", *SEGMENT),
    cache: "omit-software"
    conda:
        "../envs/media.yaml"
    message:
        "{wildcards.channel}/{wildcards.video}/{wildcards.segment}: download stock footage"
    script:
        "../scripts/footage_download.py"
