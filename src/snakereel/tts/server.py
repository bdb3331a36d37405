"""Speech server: keeps TTS engines loaded between the tts jobs of a build.

Loading a voice costs more than speaking a sentence (docs/performance.md), so the first
tts job starts this server, one per Python environment and snakereel version on a
machine; every job sends it its text over a Unix socket, gets back the audio, word
timings and log lines, and writes its files itself, so a killed job leaves nothing behind.
The server exits after IDLE_SECONDS without a request. Speech is byte-identical to synthesis
in the job: noise is seeded per sentence and engines run single-threaded.

SNAKEREEL_TTS_SERVER=0 turns it off. Cluster jobs (SLURM_JOB_ID set) never use it: they
seldom share a node. When the server cannot be reached or started, the job speaks itself.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import socket
import socketserver
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path

from .. import floor, warm
from ..errors import SnakereelError
from ..words import WordTiming
from . import registry
from .speech import Speech

log = logging.getLogger("snakereel.tts")

IDLE_SECONDS = float(os.environ.get("SNAKEREEL_TTS_IDLE", "20"))
ENGINES_KEPT = 4  # voices loaded at once; a build rarely uses more than one or two


def synthesize(text: str, voice: dict) -> Speech:
    """Speak `text` with the voice chain: through the server when it can, else right here."""
    if enabled():
        result = ask_server(socket_path(), text, voice)
        if result is not None:
            return result
    return registry.speak(text, voice)


def enabled() -> bool:
    return warm.enabled("SNAKEREEL_TTS_SERVER")


def socket_path() -> Path:
    """One server per user, project folder (settings may hold paths relative to it), Python
    (so per conda env) and snakereel source (snakereel.warm)."""
    return Path(warm.socket_path("tts"))


# ---- the job's side ---------------------------------------------------------------------


def ask_server(path: Path, text: str, voice: dict) -> Speech | None:
    """The server's answer; None when no server can be reached (the job speaks itself)."""
    try:
        connection = _connect_or_start(path)
        if connection is None:
            return None
        with connection, connection.makefile("rwb") as stream:
            stream.write(json.dumps({"text": text, "voice": voice}).encode() + b"\n")
            stream.flush()
            header = json.loads(stream.readline() or "null")
            pcm = stream.read(header.get("bytes", 0)) if header else b""
    except (OSError, ValueError) as error:
        log.warning("the speech server failed (%s); speaking in the job", error)
        return None
    if header is None or len(pcm) != header.get("bytes", 0):
        log.warning("the speech server closed the connection; speaking in the job")
        return None
    floor.add(header.get("cpu", 0.0))
    for level, message in header["logs"]:
        log.log(level, "%s", message)
    if not header["ok"]:
        raise SnakereelError(**header["error"])
    words = [WordTiming(**word) for word in header["words"]]
    meta = header["metadata"]
    return Speech(pcm, header["rate"], words, meta["engine"], meta["voice"], meta["fallback"])


def _connect_or_start(path: Path) -> socket.socket | None:
    connection = warm.connect_or_start(str(path), "snakereel.tts.server")
    if connection is None:
        log.warning(
            "the speech server did not start (see %s); speaking in the job",
            warm.beside(str(path), ".log"),
        )
    return connection


# ---- the server's side ------------------------------------------------------------------


class _LogsByThread(logging.Handler):
    """Collects each request's log lines, to send them back to its job's log."""

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.lines: dict[int, list] = {}

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.setdefault(record.thread, []).append([record.levelno, record.getMessage()])

    def take(self) -> list:
        return self.lines.pop(threading.get_ident(), [])


_LOGS = _LogsByThread()
_LOADING = threading.Lock()


@functools.lru_cache(maxsize=ENGINES_KEPT)
def _engine(name: str, settings_json: str):
    engine = registry.load(name, json.loads(settings_json))
    return engine if getattr(engine, "thread_safe", False) else _OneAtATime(engine)


class _OneAtATime:
    """An engine not known to be thread-safe (the torch ones): one synthesis at a time."""

    def __init__(self, engine):
        self.engine, self.lock = engine, threading.Lock()
        self.voice_name = getattr(engine, "voice_name", "")

    def synthesize(self, text: str):
        with self.lock:
            return self.engine.synthesize(text)


def _loader(name: str, settings: dict):
    """`registry.load`, each voice loaded once and kept (one load at a time)."""
    with _LOADING:
        return _engine(name, json.dumps(settings, sort_keys=True))


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.server.working(+1)
        try:
            request = json.loads(self.rfile.readline())
            pcm, before = b"", floor.counted_in_thread()
            try:
                speech = registry.speak(request["text"], request["voice"], loader=_loader)
                pcm = speech.pcm
                header = {"ok": True, "rate": speech.sample_rate, "bytes": len(pcm)}
                words = [asdict(word) for word in speech.words]
                header.update(words=words, metadata=speech.metadata())
            except SnakereelError as error:
                fields = {"message": error.message, "file": error.file or None}
                fields.update(field=error.field, hint=error.hint)
                header = {"ok": False, "error": fields}
            header["logs"] = _LOGS.take()
            header["cpu"] = floor.counted_in_thread() - before  # the job's floor
            self.wfile.write(json.dumps(header).encode() + b"\n" + pcm)
        finally:
            self.server.working(-1)


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = False  # on shutdown, answer the requests already taken

    def __init__(self, *args):
        super().__init__(*args)
        self.busy, self.last_used, self.state = 0, time.monotonic(), threading.Lock()

    def working(self, change: int) -> None:
        """+1 when a request starts, -1 when it ends (from the handlers' threads)."""
        with self.state:
            self.busy += change
            self.last_used = time.monotonic()

    def idle_seconds(self) -> float:
        with self.state:
            return 0.0 if self.busy else time.monotonic() - self.last_used


def _stop_when_idle(server: _Server) -> None:
    while True:
        time.sleep(min(1.0, IDLE_SECONDS / 4))
        if server.idle_seconds() > IDLE_SECONDS:
            server.shutdown()
            return


def serve(path: Path) -> None:
    logging.getLogger("snakereel").addHandler(_LOGS)
    logging.getLogger("snakereel").setLevel(logging.INFO)
    server = _Server(str(path), _Handler)
    inode = path.stat().st_ino
    threading.Thread(target=_stop_when_idle, args=(server,), daemon=True).start()
    try:
        server.serve_forever()
    finally:
        server.server_close()
        warm.remove_socket(str(path), inode)


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
