"""The SLURM profile on a real cluster: run `cluster/localhost.sh up DIR` and source
DIR/env first (.ci/run does), else these tests are skipped. The cluster's only partition
is not called `main`, so the profile must leave the partition to the cluster."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import REPO, ffprobe

STATE = os.environ.get("SNAKEREEL_SLURM_STATE", "")
pytestmark = [
    pytest.mark.slurm,
    pytest.mark.skipif(
        not STATE or shutil.which("sbatch") is None,
        reason="no SLURM cluster: cluster/localhost.sh up DIR, then source DIR/env",
    ),
]
TARGET = "results/momentum_mindset/day-01.mp4"


def bench_slurm():
    spec = importlib.util.spec_from_file_location("bench_slurm", REPO / "bench" / "slurm.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def squeue(*args: str) -> str:
    return subprocess.run(["squeue", "-h", *args], capture_output=True, text=True).stdout.strip()


def test_gpu_jobs_queue_on_the_gres(tmp_path):
    """What NVENC renders rely on: a second GPU job waits while the first holds the GPU."""
    out = tmp_path / "gpu.out"
    first = subprocess.check_output(
        [
            "sbatch",
            "--parsable",
            "--gpus=1",
            "--mem=10",
            "-o",
            str(out),
            "--wrap",
            'echo "CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES"; sleep 4',
        ],
        text=True,
    ).strip()
    second = subprocess.check_output(
        ["sbatch", "--parsable", "--gpus=1", "--mem=10", "-o", "/dev/null", "--wrap", "true"],
        text=True,
    ).strip()
    reasons = set()
    for _ in range(40):
        reasons.add(squeue("-j", second, "-o", "%r"))
        if "Resources" in reasons:
            break
        time.sleep(0.25)
    assert "Resources" in reasons
    for _ in range(80):
        if not squeue("-j", f"{first},{second}", "-t", "PENDING,RUNNING,COMPLETING", "-o", "%i"):
            break
        time.sleep(0.25)
    assert "CUDA_VISIBLE_DEVICES=0" in out.read_text()


def test_example_video_builds_through_slurm_and_a_rerun_submits_nothing(tmp_path):
    bench = bench_slurm()
    work = bench.fresh_workdir(tmp_path, "work")
    env_cache = work / "cache"  # the between-workflow cache on the shared filesystem
    env_cache.mkdir()
    os.environ["SNAKEMAKE_OUTPUT_CACHE"] = str(env_cache)
    try:
        profile = ["--executor", "slurm", "--profile", str(REPO / "profiles" / "slurm")]
        _, log = bench.snakemake(work, TARGET, *profile, *bench.LOCAL_CLUSTER, timeout=600)
        problems = bench.check(work, Path(STATE) / "jobcomp.txt", work / "snakemake.log")
        assert not problems, problems
        assert "invalid partition" not in log
        streams = {s["codec_type"]: s for s in ffprobe(work / TARGET)["streams"]}
        assert (streams["video"]["width"], streams["video"]["height"]) == (540, 960)
        assert streams["audio"]["codec_name"] == "aac"
        _, again = bench.snakemake(work, TARGET, *profile, *bench.LOCAL_CLUSTER, "-n")
        assert "Nothing to be done" in again
    finally:
        os.environ.pop("SNAKEMAKE_OUTPUT_CACHE", None)
