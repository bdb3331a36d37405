"""The speech server: same bytes as speaking in the job, parallel requests, errors, its end."""

import json
import os
import socket
import threading
import time

import psutil  # a Snakemake dependency
import pytest

from snakereel.errors import SnakereelError
from snakereel.tts import server
from snakereel.tts.registry import speak

VOICE = {"engines": ["piper"], "pause": 0.2, "piper": {"voice": "en_US-joe-medium", "seed": 7}}
TEXTS = ["The first sentence is short.", "A second one, a little longer, with a comma."]


@pytest.fixture
def path(tmp_path, monkeypatch):
    """A private socket path, and a server that stops soon after its last request."""
    monkeypatch.setenv("SNAKEREEL_TTS_IDLE", "5")  # long enough on a loaded machine
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    yield folder / "tts.sock"
    stop_servers(folder)


def stop_servers(folder):
    for pid_file in folder.glob("*.pid"):
        os.kill(int(pid_file.read_text()), 15)


def server_pid(path):
    """The pid of the process listening on `path` (from the socket's peer credentials)."""
    with socket.socket(socket.AF_UNIX) as connection:
        connection.connect(str(path))
        creds = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
    pid = int.from_bytes(creds[:4], "little")
    path.with_suffix(".pid").write_text(str(pid))
    return pid


def test_same_bytes_as_speaking_in_the_job(path):
    for text in TEXTS:
        via_server = server.ask_server(path, text, VOICE)
        # now, while it is surely up: it leaves 5 s after a request, and speaking in the
        # job below may take longer than that on a loaded machine
        assert server_pid(path) != os.getpid()
        in_job = speak(text, VOICE)
        assert via_server is not None
        assert via_server.pcm == in_job.pcm and len(in_job.pcm) > 20_000
        assert (via_server.sample_rate, via_server.words) == (in_job.sample_rate, in_job.words)
        assert (
            via_server.metadata()
            == in_job.metadata()
            == {
                "engine": "piper",
                "voice": "en_US-joe-medium",
                "duration": in_job.metadata()["duration"],
                "fallback": False,
            }
        )


def test_parallel_requests_get_their_own_answers(path):
    expected = {text: server.ask_server(path, text, VOICE).pcm for text in TEXTS}
    answers = {}

    def ask(text):
        answers[text] = server.ask_server(path, text, VOICE).pcm

    threads = [threading.Thread(target=ask, args=(t,)) for t in TEXTS * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == expected


def test_a_user_error_comes_back_as_the_same_error(path, caplog):
    with pytest.raises(SnakereelError) as in_job:
        speak("...", VOICE)
    with pytest.raises(SnakereelError) as via_server:
        server.ask_server(path, "...", VOICE)
    assert via_server.value.one_line() == in_job.value.one_line() == "text: text has nothing to say"


def test_log_lines_come_back_to_the_job(path, caplog):
    with caplog.at_level("INFO", logger="snakereel"):
        server.ask_server(path, TEXTS[0], VOICE)
    assert "spoken by piper (voice en_US-joe-medium)" in caplog.text


def test_the_server_leaves_when_idle_and_a_new_one_starts(path):
    server.ask_server(path, TEXTS[0], VOICE)
    first = server_pid(path)
    deadline = time.monotonic() + 30
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not path.exists()  # it removed its socket on the way out
    psutil.Process(first).wait(timeout=10)  # and exited
    assert server.ask_server(path, TEXTS[0], VOICE) is not None
    assert server_pid(path) != first


def test_a_stale_socket_is_replaced(path):
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(path))  # bound, never listening: what a killed server leaves
    stale.close()
    assert server.ask_server(path, TEXTS[0], VOICE) is not None


def test_turned_off_or_on_a_cluster_the_job_speaks_itself(monkeypatch, tmp_path):
    monkeypatch.setattr(server, "socket_path", lambda: tmp_path / "never.sock")
    monkeypatch.setenv("SNAKEREEL_TTS_SERVER", "0")
    result = server.synthesize(TEXTS[0], VOICE)
    assert result.pcm == speak(TEXTS[0], VOICE).pcm
    monkeypatch.delenv("SNAKEREEL_TTS_SERVER")
    monkeypatch.setenv("SLURM_JOB_ID", "42")
    assert not server.enabled()
    assert not (tmp_path / "never.sock").exists()


def test_socket_path_follows_the_python_and_the_code(monkeypatch):
    first = server.socket_path()
    assert first.parent.name == f"snakereel-{os.getuid()}"
    monkeypatch.setattr(server.sys, "executable", "/another/python")
    assert server.socket_path() != first


def test_the_reply_is_one_json_line_then_the_audio(path):
    server.ask_server(path, TEXTS[0], VOICE)  # started
    with socket.socket(socket.AF_UNIX) as connection:
        connection.connect(str(path))
        stream = connection.makefile("rwb")
        stream.write(json.dumps({"text": TEXTS[0], "voice": VOICE}).encode() + b"\n")
        stream.flush()
        header = json.loads(stream.readline())
        assert header["ok"] and header["rate"] == 22050
        assert len(stream.read(header["bytes"])) == header["bytes"] > 0


def test_a_failing_server_leaves_the_job_to_speak(tmp_path, monkeypatch, caplog):
    """A server that answers garbage (or dies) is not an error: the job speaks itself."""
    path = tmp_path / "garbage.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.listen(1)

    def answer_garbage():
        connection, _ = listener.accept()
        connection.recv(65536)
        connection.sendall(b"not json\n")
        connection.close()

    threading.Thread(target=answer_garbage, daemon=True).start()
    monkeypatch.setattr(server, "socket_path", lambda: path)
    with caplog.at_level("WARNING", logger="snakereel"):
        result = server.synthesize(TEXTS[0], VOICE)
    listener.close()
    assert "speech server failed" in caplog.text
    assert result.pcm == speak(TEXTS[0], VOICE).pcm


def test_engines_not_known_to_be_thread_safe_speak_one_at_a_time(monkeypatch):
    """Piper says it is thread-safe; any other engine is wrapped so that two jobs' requests
    never run its synthesis at once."""
    from snakereel.tts import registry

    running, overlaps = [], []

    class TorchLike:
        voice_name = "v"

        def synthesize(self, text):
            running.append(text)
            overlaps.append(len(running))
            time.sleep(0.05)
            running.remove(text)
            return text

    monkeypatch.setattr(registry, "load", lambda name, settings: TorchLike())
    server._engine.cache_clear()
    engine = server._loader("torchlike", {"seed": 1})
    assert engine is server._loader("torchlike", {"seed": 1})  # loaded once
    assert engine.voice_name == "v"
    threads = [threading.Thread(target=engine.synthesize, args=(str(i),)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    server._engine.cache_clear()
    assert overlaps == [1, 1, 1, 1]


def test_the_server_tells_each_job_the_cpu_of_its_synthesis(path):
    """The job's floor (snakereel.floor) holds the synthesis the server did on its behalf."""
    from snakereel import floor

    before = floor.seconds()
    assert server.ask_server(path, TEXTS[1], VOICE) is not None
    assert server_pid(path) != os.getpid()
    assert floor.seconds() - before > 0.01
