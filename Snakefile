import os
import sys
from pathlib import Path

from snakemake.utils import min_version, validate

min_version("9.0")

# Jobs import the package from the workflow's own source tree, so a conda env or a
# cluster node needs only the dependencies (envs/*.yaml), not an install of snakereel.
SRC = str(Path(workflow.basedir) / "src")
sys.path.insert(0, SRC)
os.environ.update(
    PYTHONPATH=os.pathsep.join(filter(None, [SRC, os.getenv("PYTHONPATH")]))
)

from snakereel.config import schema_path


configfile: "config.yaml"


validate(config, schema_path("config"))


include: "rules/common.smk"
include: "rules/tts.smk"
include: "rules/captions.smk"
include: "rules/images.smk"
include: "rules/render.smk"
include: "rules/assemble.smk"
include: "rules/report.smk"


report: "docs/report/workflow.rst"


rule all:
    default_target: True
    input:
        final_videos(),
        report_targets(),
