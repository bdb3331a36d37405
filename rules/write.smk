# Ideas (channels/<channel>/ideas.yaml) become scripts: a checkpoint per idea, so the
# targets in common.smk are re-evaluated once the script exists and it is rendered in
# the same run. Cached between workflows: the key is the params spec (model, settings,
# prompt text, topic, notes, the channel's earlier titles and openings) and this script.
# Snakemake refuses `benchmark:` on cached rules; the job times itself in its log.
checkpoint write:
    output:
        LAYOUT.written(),
    log:
        LAYOUT.log("write", *VIDEO),
    cache: "omit-software"
    # A retry would pay for another answer: the client retries what is transient.
    retries: 0
    conda:
        "../envs/media.yaml"
    params:
        job=job_file(spec=write_spec),
        files=job_files,
    message:
        "{wildcards.channel}/{wildcards.video}: write the script of the idea"
    shell:
        job_line("write", *VIDEO)
