"""Glue for Snakemake `script:` jobs: one-line errors, logs, job parameters."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable

from .errors import SnakereelError


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
        # Cached rules may not have `benchmark:`; the metadata rule reads this line instead.
        logging.getLogger("snakereel").info("done in %.3f s", time.perf_counter() - start)
    except SnakereelError as error:
        logging.getLogger("snakereel").error("%s", error.one_line())
        print(f"snakereel: {error.one_line()}", file=sys.stderr)
        sys.exit(1)
