"""Jobs: one module per kind (`work(job)`), the files a job is told its work by, and
running one (`run_here`; snakereel.run decides where).

A job imports only its own module, so each imports no more than its work needs.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from .. import floor
from ..errors import SnakereelError


def write_job_file(folder: str, content: dict) -> str:
    """Write a job file (the workflow calls this for a job's params) and return its path.

    Named by the hash of its content, so the params Snakemake records (its rerun trigger)
    and its cache key change exactly when what the job is told changes. Two files per job:
    its params, and its inputs with the names of its outputs (Snakemake leaves params
    computed from inputs out of the rerun trigger). Output paths stay out of both: a cache
    key must not depend on where a file goes."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    path = Path(folder) / f"{hashlib.sha256(text.encode()).hexdigest()[:32]}.json"
    # Not io.atomic_path: its scan for a killed writer's leftovers would read this whole
    # folder, which holds a file per distinct job, on every write.
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    return str(path)


def files_content(input, output) -> dict:
    """What a job's second file holds: its inputs and the names of its outputs."""
    return {
        "input": [str(path) for path in input],
        "named_input": {name: _plain(value) for name, value in input.items()},
        "output_names": list(output.keys()),
    }


def _plain(value):
    return str(value) if isinstance(value, str) else [str(item) for item in value]


class Files(list):
    """A job's inputs or outputs: a list whose named parts are also attributes."""

    def __init__(self, paths: list, named: dict):
        super().__init__(paths)
        for name, value in named.items():
            setattr(self, name, value)


class Job(SimpleNamespace):
    """What a job's `work` gets: input, output, log, wildcards, params and `spec`."""


def read_json(path: str):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def parse(argv: list[str]) -> tuple[str, Job]:
    kind, params_file, files_file, log, *rest = argv
    split = rest.index("--")
    wildcards = dict(pair.split("=", 1) for pair in rest[:split])
    params, files, outputs = read_json(params_file), read_json(files_file), rest[split + 1 :]
    job = Job(
        input=Files(files["input"], files["named_input"]),
        output=Files(outputs, dict(zip(files["output_names"], outputs, strict=False))),
        log=log,
        wildcards=SimpleNamespace(**wildcards),
        params=SimpleNamespace(**params),
        spec=json.loads(params["spec"]) if "spec" in params else {},
    )
    return kind, job


def start_log(path: str) -> None:
    open(path, "w").close()  # a fresh log; then append only, so that lines ffmpeg adds
    logging.basicConfig(  # are never overwritten
        level=logging.INFO,
        handlers=[logging.FileHandler(path, mode="a")],
        force=True,
        format="%(asctime)s %(name)s: %(message)s",
    )


def run_here(argv: list[str], warm: bool = False) -> int:
    """Run the job `argv` in this process: its log, its work, its last line; the exit code.
    `warm`: this process is a fork of the job server (the last line says so, for benches:
    its CPU is then outside Snakemake's process tree)."""
    kind, job = parse(argv)
    start_log(job.log)
    log = logging.getLogger("snakereel")
    start = time.perf_counter()
    try:
        importlib.import_module(f"snakereel.jobs.{kind}").work(job)
    except SnakereelError as error:
        log.error("%s", error.one_line())
        print(f"snakereel: {error.one_line()}", file=sys.stderr)
        return 1
    # Cached rules may not have `benchmark:`; the video_page job reads this line instead.
    log.info(
        "done in %.3f s (CPU %.3f s with start-up and tools, floor %.3f s%s)",
        time.perf_counter() - start,
        floor.process_cpu(),
        floor.seconds(),
        ", in the job server" if warm else "",
    )
    return 0
