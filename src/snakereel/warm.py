"""Warm processes that jobs ask for work: where they listen, and starting one.

A warm server (the speech server, the job server) listens on a Unix socket in a private
folder, one per user, project folder, Python (so per conda env) and snakereel source: a
server never answers a job of another project, environment or code version. The first job
that finds none starts it, detached, while the others wait on a lock; it leaves by itself
when idle. Imports stay light (no pathlib, no tempfile): every job process pays for them.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
import sys
import time

START_TIMEOUT = 30.0


def enabled(switch: str) -> bool:
    """A warm server is used unless its switch is 0, and never on a cluster (SLURM_JOB_ID
    set): jobs there seldom share a node."""
    return os.environ.get(switch, "1") != "0" and "SLURM_JOB_ID" not in os.environ


def socket_path(name: str) -> str:
    package = os.path.dirname(os.path.abspath(__file__))
    stamp = [os.getcwd(), sys.executable]
    for folder, folders, files in os.walk(package):
        folders.sort()
        for file in sorted(f for f in files if f.endswith(".py")):
            info = os.stat(os.path.join(folder, file))
            where = os.path.relpath(os.path.join(folder, file), package)
            stamp.append(f"{where}:{info.st_size}:{info.st_mtime_ns}")
    key = hashlib.sha256("\n".join(stamp).encode()).hexdigest()[:16]
    return os.path.join(temp_folder(), f"snakereel-{os.getuid()}", f"{name}-{key}.sock")


def temp_folder() -> str:
    """tempfile.gettempdir()'s first choices, without importing tempfile."""
    for name in ("TMPDIR", "TEMP", "TMP"):
        if os.environ.get(name):
            return os.environ[name]
    return "/tmp"


def beside(path: str, suffix: str) -> str:
    """The server's lock or log file: its socket's path with another suffix."""
    return os.path.splitext(path)[0] + suffix


def connect(path: str) -> socket.socket | None:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
    except OSError:
        connection.close()
        return None
    return connection


def private_folder(folder: str) -> bool:
    """The socket's folder exists, is ours and is closed to other users."""
    os.makedirs(folder, mode=0o700, exist_ok=True)
    info = os.stat(folder)
    return info.st_uid == os.getuid() and not info.st_mode & 0o077


def connect_or_start(path: str, module: str) -> socket.socket | None:
    """A connection to the server `python -m module path`, started if none listens; None
    when it cannot be started (its log: `beside(path, ".log")`)."""
    connection = connect(path)
    if connection is not None or not private_folder(os.path.dirname(path)):
        return connection
    import subprocess

    with open(beside(path, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one job starts the server, the others wait for it
        connection = connect(path)
        if connection is not None:
            return connection
        if os.path.lexists(path):
            os.unlink(path)  # left by a server that was killed
        with open(beside(path, ".log"), "ab") as server_log:
            server = subprocess.Popen(
                [sys.executable, "-m", module, path],
                stdin=subprocess.DEVNULL,
                stdout=server_log,
                stderr=server_log,
                start_new_session=True,  # not killed with the job that started it
            )
        deadline = time.monotonic() + START_TIMEOUT
        while server.poll() is None and time.monotonic() < deadline:
            connection = connect(path)
            if connection is not None:
                return connection
            time.sleep(0.01)
    return None


def remove_socket(path: str, inode: int) -> None:
    """On a server's way out: its socket, unless a successor has bound the path since."""
    try:
        if os.stat(path).st_ino == inode:
            os.unlink(path)
    except FileNotFoundError:
        pass
