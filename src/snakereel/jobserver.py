"""The job server: a warm Python that runs the workflow's jobs in forks of itself.

Starting a job's Python and importing its modules (Pillow, pysubs2, ffmpeg-python, ...)
cost more CPU than many jobs' own bookkeeping (docs/performance.md, "Job start-up"). The
first job of a build starts this server (snakereel.warm); each job then sends it its
command line, working folder, environment and standard output and error, and waits. The
server imports the job's module once, forks, and the fork runs the job exactly as
`python -m snakereel.run` would (snakereel.jobs.run_here): same files, same log, same
floor, its own process group for the tools it starts. The job's exit status comes back;
the job exits with it.

A job that dies (killed with Snakemake, or by a signal) closes its connection, and the fork
kills its process group at once: nothing outlives its job, and outputs are written
atomically as always. The server runs one thread and forks from it, leaves after
SNAKEREEL_JOB_IDLE seconds (20) without a job, and is never used on a cluster
(SLURM_JOB_ID set) or with SNAKEREEL_JOB_SERVER=0: there, jobs run in their own process.
"""

from __future__ import annotations

import contextlib
import importlib
import marshal
import os
import signal
import socket
import sys
import threading
import traceback

from . import warm

IDLE_SECONDS = float(os.environ.get("SNAKEREEL_JOB_IDLE", "20"))
MAX_REQUEST = 1 << 20  # a command line and an environment


def serve(path: str) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forks are reaped by the kernel
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    inode = os.stat(path).st_ino
    listener.settimeout(IDLE_SECONDS)
    try:
        while True:
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                return
            connection.settimeout(None)
            with contextlib.suppress(Exception):  # a broken request never stops the server
                start_job(listener, connection)
            connection.close()
    finally:
        listener.close()
        warm.remove_socket(path, inode)


def start_job(listener: socket.socket, connection: socket.socket) -> None:
    request, fds, _, _ = socket.recv_fds(connection, 65536, 3)
    try:
        while len(request) < 8 or len(request) < 8 + int.from_bytes(request[:8], "big"):
            more = connection.recv(65536)
            if not more or len(request) > MAX_REQUEST:
                return
            request += more
        # marshal: from snakereel.run, over a socket in a folder only this user can open
        job = marshal.loads(request[8:])
        with contextlib.suppress(Exception):  # a job that cannot import reports it itself
            importlib.import_module(f"snakereel.jobs.{job['argv'][0]}")  # warm for every fork
        if os.fork() == 0:
            listener.close()
            os._exit(run_fork(connection, job, fds))
    finally:
        for fd in fds:
            os.close(fd)


def run_fork(connection: socket.socket, job: dict, fds: list[int]) -> int:
    """In the fork: become the job (its folder, environment, output), run it, report."""
    code = 1
    try:
        os.setpgid(0, 0)  # the job and its tools: one group, killed together
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the job waits for its tools
        for fd, target in zip(fds, (0, 1, 2), strict=True):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(job["cwd"])
        os.environ.clear()
        os.environ.update(job["env"])
        threading.Thread(target=die_with_the_job, args=(connection,), daemon=True).start()
        from .jobs import run_here

        code = run_here(job["argv"], warm=True)
    except BaseException:  # noqa: BLE001 - the job's own report, on its stderr
        traceback.print_exc()
    with contextlib.suppress(OSError):
        sys.stdout.flush()
        sys.stderr.flush()
        connection.sendall(f"{code}\n".encode())
    return code


def die_with_the_job(connection: socket.socket) -> None:
    """The job never sends more: the connection ends only when the job has died."""
    with contextlib.suppress(OSError):
        connection.recv(1)
    os.killpg(0, signal.SIGKILL)


if __name__ == "__main__":
    serve(sys.argv[1])
