# Publishing (docs/publishing.md): `snakemake publish` uploads every approved video
# (`publish: true`) that has no receipt yet; building (`rule all`) never uploads. Receipts
# already written are never inputs, so a rebuilt video is reported, not uploaded again.
localrules:
    publish,
    youtube_upload,


rule publish:
    input:
        publish_receipts,
    message:
        "uploads finished: receipts are in published/"


# One upload at a time (`--resources youtube=1` in the default profile), never retried by
# Snakemake: the job resumes its own saved session instead. Runs on the machine that holds
# the credentials (a local rule), never on a cluster node.
rule youtube_upload:
    input:
        video=LAYOUT.video(".mp4"),
        metadata=LAYOUT.video(".json"),
    output:
        protected(LAYOUT.receipt()),
    log:
        LAYOUT.log("youtube", *VIDEO),
    benchmark:
        LAYOUT.benchmark("youtube", *VIDEO)
    retries: 0
    conda:
        "../envs/publish.yaml"
    resources:
        youtube=1,
    params:
        job=job_file(
            spec=youtube_spec,
            ledger=lambda wildcards: str(LAYOUT.ledger(wildcards.channel)),
        ),
        files=job_files,
    message:
        "{wildcards.channel}/{wildcards.video}: upload to YouTube"
    shell:
        job_line("youtube_upload", *VIDEO)
