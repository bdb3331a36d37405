# Contact sheets and report pages: `snakemake --report report.zip` shows them.


include: "report_common.smk"


rule contact_sheet:
    input:
        clips=lambda wildcards: segment_files(wildcards, "clip.mp4"),
    output:
        report(
            LAYOUT.video(".contact.png"),
            category="Contact sheets",
            subcategory="{channel}",
            labels={"channel": "{channel}", "video": "{video}"},
            caption="../docs/report/contact.rst",
        ),
    log:
        LAYOUT.log("contact", *VIDEO),
    benchmark:
        LAYOUT.benchmark("contact", *VIDEO)
    conda:
        "../envs/media.yaml"
    params:
        job=job_file(spec=contact_spec),
        files=job_files,
    message:
        "{wildcards.channel}/{wildcards.video}: contact sheet, one frame per segment"
    shell:
        job_line("contact", *VIDEO)


# One job writes the video's metadata (for `snakereel costs`; never cached) and its report
# page, which shows the metadata's timings: a job fewer per video, on an edit's path too.
rule video_page:
    input:
        video=LAYOUT.video(".mp4"),
        contact=LAYOUT.video(".contact.png"),
        images=lambda wildcards: visual_files(wildcards, "image.json", STILL_KINDS),
        footage=lambda wildcards: visual_files(wildcards, "footage.json", ("stock",)),
        speech=lambda wildcards: segment_files(wildcards, "speech.json"),
    output:
        metadata=LAYOUT.video(".json"),
        page=report(
            directory(LAYOUT.video(".page")),
            htmlindex="index.html",
            category="Videos",
            subcategory="{channel}",
            labels={"channel": "{channel}", "video": "{video}"},
            caption="../docs/report/video.rst",
        ),
    log:
        LAYOUT.log("page", *VIDEO),
    benchmark:
        LAYOUT.benchmark("page", *VIDEO)
    conda:
        "../envs/media.yaml"
    params:
        # files: the logs and benchmarks of the video's jobs (bookkeeping: read, never rebuilt)
        job=job_file(spec=page_spec, metadata=metadata_spec, files=video_records),
        files=job_files,
    message:
        "{wildcards.channel}/{wildcards.video}: metadata and report page (video, contact sheet, timings)"
    shell:
        job_line("video_page", *VIDEO)
