# Contact sheets and report pages: `snakemake --report report.zip` shows them.


include: "report_common.smk"


rule contact_sheet:
    input:
        clips=lambda wildcards: segment_files(wildcards, "clip.mp4"),
    output:
        report(
            "results/{channel}/{video}.contact.png",
            category="Contact sheets",
            subcategory="{channel}",
            labels={"channel": "{channel}", "video": "{video}"},
            caption="../docs/report/contact.rst",
        ),
    log:
        "logs/{channel}/{video}/contact.log",
    benchmark:
        "benchmarks/{channel}/{video}/contact.tsv"
    conda:
        "../envs/media.yaml"
    params:
        spec=contact_spec,
    message:
        "{wildcards.channel}/{wildcards.video}: contact sheet, one frame per segment"
    script:
        "../scripts/contact.py"


# One job writes the video's metadata (for `snakereel costs`; never cached) and its report
# page, which shows the metadata's timings: a job fewer per video, on an edit's path too.
rule video_page:
    input:
        video="results/{channel}/{video}.mp4",
        contact="results/{channel}/{video}.contact.png",
        images=lambda wildcards: segment_files(wildcards, "image.json"),
    output:
        metadata="results/{channel}/{video}.json",
        page=report(
            directory("results/{channel}/{video}.page"),
            htmlindex="index.html",
            category="Videos",
            subcategory="{channel}",
            labels={"channel": "{channel}", "video": "{video}"},
            caption="../docs/report/video.rst",
        ),
    log:
        "logs/{channel}/{video}/page.log",
    benchmark:
        "benchmarks/{channel}/{video}/page.tsv"
    conda:
        "../envs/media.yaml"
    params:
        spec=page_spec,
        metadata=metadata_spec,
    message:
        "{wildcards.channel}/{wildcards.video}: metadata and report page (video, contact sheet, timings)"
    script:
        "../scripts/video_page.py"
