"""Piper model loading: one process per segment (as the workflow's tts jobs) vs once per job.

Every segment of the example channel is spoken three ways, each in fresh Python processes
that do what a tts job does (import, load the voice, speak, write the files):

  before   one process per segment, each patching and optimising the ONNX graph itself
  after    one process per segment, each loading the model prepared once by `piper_model`
  once     one process for all segments, loading the voice once

`load` is the time from starting the process to a voice ready to speak (interpreter,
imports and model), `job` the whole process. Both are given in CPU seconds and wall
seconds: CPU time is the steadier figure on a busy machine. Per-job figures are medians
over the segments and repeats. Run: `python bench/tts_load.py [--repeat 3]`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def example() -> tuple[dict, list[str]]:
    """The example channel's voice spec (as the tts rule's params) and segment texts."""
    from snakereel.project import load_channel
    from snakereel.voice import voice_spec

    channel = load_channel(REPO / "channels" / "momentum_mindset")
    texts = [s.text for video in channel.videos.values() for s in video.segments]
    return voice_spec(channel.settings["voice"]), texts


def worker(mode: str, prepared: str, job: dict, out: Path) -> None:
    """One job: what scripts/tts.py does for each of the given segments."""
    import snakemake.script  # noqa: F401  (Snakemake's script preamble imports it)

    from snakereel.io import write_json_atomic
    from snakereel.tts.registry import load

    spec = job["spec"]
    settings = dict(spec["piper"], prepared=prepared if mode != "before" else None)
    engine = load("piper", settings)
    ready = time.time()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    load_cpu = usage.ru_utime + usage.ru_stime
    for index, text in job["texts"].items():
        speech = engine.synthesize(text).with_silence(spec["pause"])
        speech.save(out / f"{index}.wav", out / f"{index}.json")
        write_json_atomic(out / f"{index}.meta.json", {"engine": "piper"})
    print(json.dumps({"ready": ready, "load_cpu": load_cpu}))


def run_job(mode: str, prepared: Path, out: Path, spec: dict, texts: dict) -> dict:
    job = json.dumps({"spec": spec, "texts": texts})
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.time()
    args = ["--worker", mode, "--prepared", str(prepared), "--out", str(out), "--job", job]
    done = subprocess.run(
        [sys.executable, __file__, *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    end = time.time()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "load": report["ready"] - start,
        "load_cpu": report["load_cpu"],
        "job": end - start,
        "cpu": cpu,
    }


def prepare(prepared: Path) -> float:
    """CPU seconds of the piper_model rule's work (done once per voice)."""
    from snakereel.tts.piper import prepare_model, resolve_voice

    before = time.process_time()
    prepare_model(resolve_voice("en_US-joe-medium")[0], prepared)
    return time.process_time() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--prepared", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--job", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.prepared, json.loads(args.job), Path(args.out))
        return

    spec, texts = example()
    count = len(texts)
    with tempfile.TemporaryDirectory() as tmp:
        out, prepared = Path(tmp), Path(tmp) / "model.onnx"
        prepare_cpu = prepare(prepared)
        jobs = {"before": [], "after": []}
        once = []
        for _ in range(args.repeat):  # interleaved, so a busy moment hits every mode
            for index in range(count):
                for mode in jobs:
                    job = run_job(mode, prepared, out, spec, {index: texts[index]})
                    jobs[mode].append(job)
            once.append(run_job("after", prepared, out, spec, dict(enumerate(texts))))
    load_avg = os.getloadavg()[0]

    def median(rows, key):
        return statistics.median(row[key] for row in rows)

    rows = {
        mode: {k: median(r, k) for k in ("load", "load_cpu", "job", "cpu")}
        for mode, r in jobs.items()
    }
    single = {k: median(once, k) for k in ("job", "cpu")}
    # all segments spoken by one-segment jobs; `after` adds the model prepared once
    total_cpu = {mode: sum(r["cpu"] for r in jobs[mode]) / args.repeat for mode in jobs}
    total_cpu["after"] += prepare_cpu
    total_wall = {mode: sum(r["job"] for r in jobs[mode]) / args.repeat for mode in jobs}
    result = {
        "segments": count,
        "load_average": round(load_avg, 1),
        "prepare_model_cpu_s": round(prepare_cpu, 2),
        "per_job_load_cpu_s": {m: round(r["load_cpu"], 3) for m, r in rows.items()},
        "per_job_load_wall_s": {m: round(r["load"], 3) for m, r in rows.items()},
        "per_job_cpu_s": {m: round(r["cpu"], 3) for m, r in rows.items()},
        "load_cpu_ratio_before_over_after": round(
            rows["before"]["load_cpu"] / rows["after"]["load_cpu"], 2
        ),
        "all_segments_cpu_s": {
            "per_segment_before": round(total_cpu["before"], 2),
            "per_segment_after": round(total_cpu["after"], 2),
            "once_per_job": round(single["cpu"], 2),
        },
        "all_segments_wall_s": {
            "per_segment_before": round(total_wall["before"], 2),
            "per_segment_after": round(total_wall["after"], 2),
            "once_per_job": round(single["job"], 2),
        },
        "ratio_per_segment_over_once_cpu": {
            m: round(total_cpu[m] / single["cpu"], 2) for m in ("before", "after")
        },
        "ratio_per_segment_over_once_wall": {
            m: round(total_wall[m] / single["job"], 2) for m in ("before", "after")
        },
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
