import os
import sys
from pathlib import Path

from snakemake.settings.types import DeploymentMethod
from snakemake.utils import min_version

min_version("9.0")

# Jobs import the package from the workflow's own source tree, so a conda env or a
# cluster node needs only the dependencies (envs/*.yaml), not an install of snakereel.
SRC = str(Path(workflow.basedir) / "src")
sys.path.insert(0, SRC)
os.environ.update(
    PYTHONPATH=os.pathsep.join(filter(None, [SRC, os.getenv("PYTHONPATH")]))
)
# Jobs run `python -m snakereel.run` (rules/common.smk): this Python, or with --use-conda
# the job's environment's own.
if DeploymentMethod.CONDA in workflow.deployment_settings.deployment_method:
    os.environ.pop("SNAKEREEL_PYTHON", None)
else:
    os.environ.update(SNAKEREEL_PYTHON=sys.executable)

from snakereel.errors import or_exit
from snakereel.schema import booleans_from_text, validate
from snakereel.yamlfile import check_yaml_file
from snakereel.exit import cancel_pending_timers, drop_local_rate_limiter

# Mistakes in config.yaml (or --config) end the run with one line naming file and field.
or_exit(check_yaml_file, "config.yaml")

# The smart cache (profiles/default passes --cache): tts and image outputs are kept in
# SNAKEMAKE_OUTPUT_CACHE and reused by any video, channel or project with the same key.
# Export it to share one folder between projects; by default each project has its own.
if workflow.enable_cache:
    cache_dir = os.environ.setdefault(
        "SNAKEMAKE_OUTPUT_CACHE", os.path.abspath(".snakereel-cache")
    )
    os.makedirs(cache_dir, exist_ok=True)


configfile: "config.yaml"


config.update(booleans_from_text(config))
or_exit(validate, config, "config", "config.yaml")


include: "rules/common.smk"
include: "rules/write.smk"
include: "rules/tts.smk"
include: "rules/images.smk"
include: "rules/footage.smk"
include: "rules/render.smk"
include: "rules/assemble.smk"
include: "rules/report.smk"
include: "rules/publish.smk"


report: "docs/report/workflow.rst"


rule all:
    default_target: True
    input:
        final_videos(),
        report_targets(),
        metadata_files(),
        written_scripts(),
        idea_targets,


# Snakemake's job rate limiter woke the scheduler every second per round for nothing on one
# machine, and its timers kept Python up to 1 s after the last job (src/snakereel/exit.py).
onstart:
    drop_local_rate_limiter(workflow)


onsuccess:
    cancel_pending_timers()


onerror:
    cancel_pending_timers()
