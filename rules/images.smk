# Cached between workflows (the smart cache): the key is the params spec, the input file
# and this rule's script. Snakemake refuses `benchmark:` on cached rules, so the job times
# itself in its log; the video_page job reads that.
rule image:
    input:
        image_input,
    output:
        image=LAYOUT.segment("image.png"),
        info=LAYOUT.segment("image.json"),
    log:
        LAYOUT.log("image", *SEGMENT),
    cache: "omit-software"
    # A retry would pay for a second image: the http provider retries what is transient.
    retries: 0
    conda:
        "../envs/media.yaml"
    params:
        job=job_file(spec=image_params),
        files=job_files,
    message:
        "{wildcards.channel}/{wildcards.video}/{wildcards.segment}: image"
    shell:
        job_line("image", *SEGMENT)
