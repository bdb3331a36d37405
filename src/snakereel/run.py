"""Every workflow job starts here: `python -m snakereel.run KIND PARAMS FILES LOG [k=v ...] --
OUT ...`.

PARAMS and FILES are the job files the workflow wrote (rules/common.smk,
`snakereel.jobs.write_job_file`). The command line holds only those, the log, the
wildcards (safe ids) and the output paths, so no text of the user's (a narration, a file
name) ever reaches a shell. A user error is one line, exit 1.

The job runs in a fork of the warm job server (snakereel.jobserver), which has its kind's
modules imported already; without one (on a cluster, SNAKEREEL_JOB_SERVER=0, or when it
cannot start) it runs here, importing only `snakereel.jobs.<KIND>`: never Snakemake. This
module imports little on purpose: every job process pays for it (docs/performance.md).
"""

from __future__ import annotations

import marshal
import os
import socket
import sys

from . import warm


def main(argv: list[str]) -> int:
    if warm.enabled("SNAKEREEL_JOB_SERVER"):
        code = ask_job_server(argv)
        if code is not None:
            return code
    from .jobs import run_here

    return run_here(argv)


def ask_job_server(argv: list[str]) -> int | None:
    """The job's exit status from a fork of the job server; None when no server took it."""
    path = warm.socket_path("jobs")
    connection = warm.connect_or_start(path, "snakereel.jobserver")
    if connection is None:
        return None
    job = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}
    with connection:
        try:
            request = marshal.dumps(job)
            socket.send_fds(connection, [len(request).to_bytes(8, "big") + request], [0, 1, 2])
        except OSError:
            return None  # it took nothing: run here
        answer = connection.makefile("rb").readline().strip()
    if not answer.isdigit():
        print(
            f"snakereel: the job server lost this job (see {warm.beside(path, '.log')})",
            file=sys.stderr,
        )
        return 1
    return int(answer)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
