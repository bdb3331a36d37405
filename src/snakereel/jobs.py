"""Glue for Snakemake `script:` jobs: one-line errors, logs, job parameters."""

from __future__ import annotations

import json
import logging
import resource
import sys
import time
from collections.abc import Callable

from .errors import SnakereelError


def cpu_seconds() -> float:
    """CPU time of this job's process and the tools it ran, start-up included."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    tools = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + tools.ru_utime + tools.ru_stime


def run_job(snakemake, work: Callable[[dict], None]) -> None:
    """Call `work(spec)` with the job's JSON spec; a user error is one line, exit 1."""
    log_path = snakemake.log[0] if snakemake.log else None
    handlers = []
    if log_path:
        open(log_path, "w").close()  # a fresh log; then append only, so that lines ffmpeg
        handlers = [logging.FileHandler(log_path, mode="a")]  # adds are never overwritten
    logging.basicConfig(
        level=logging.INFO,
        handlers=handlers,
        force=True,
        format="%(asctime)s %(name)s: %(message)s",
    )
    spec = json.loads(snakemake.params.spec) if hasattr(snakemake.params, "spec") else {}
    start = time.perf_counter()
    try:
        work(spec)
        # Cached rules may not have `benchmark:`; the video_page job reads this line instead.
        logging.getLogger("snakereel").info(
            "done in %.3f s (CPU %.3f s with start-up and tools)",
            time.perf_counter() - start,
            cpu_seconds(),
        )
    except SnakereelError as error:
        logging.getLogger("snakereel").error("%s", error.one_line())
        print(f"snakereel: {error.one_line()}", file=sys.stderr)
        sys.exit(1)
