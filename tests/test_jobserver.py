"""The job server: jobs run in its forks, with their own output, exit status and fate."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import psutil  # a Snakemake dependency
import pytest

from snakereel.jobs import write_job_file

from .test_run import Named, files_content


@pytest.fixture
def env(tmp_path):
    """A private socket folder (TMPDIR) and a server that leaves soon after its last job."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    yield {**os.environ, "TMPDIR": str(folder), "SNAKEREEL_JOB_IDLE": "3"}
    for proc in servers(folder):
        proc.kill()


def servers(folder) -> list[psutil.Process]:
    """The job servers listening in `folder` (not their forks, which share their name)."""
    found = []
    for proc in psutil.process_iter(["cmdline", "ppid"]):
        cmdline = proc.info["cmdline"] or []
        if "snakereel.jobserver" in cmdline and str(folder) in " ".join(cmdline):
            found.append(proc)
    pids = {proc.pid for proc in found}
    return [proc for proc in found if proc.info["ppid"] not in pids]


def job_command(tmp_path, kind, params, inputs, outputs, wildcards=()):
    folder = str(tmp_path / "jobs")
    job = write_job_file(folder, params)
    files = write_job_file(folder, files_content(Named(list(inputs)), Named(list(outputs))))
    log = tmp_path / f"{kind}.log"
    command = [sys.executable, "-m", "snakereel.run", kind, job, files, str(log)]
    return [*command, *wildcards, "--", *map(str, outputs)], log


def test_a_job_runs_in_a_fork_of_the_server_and_a_second_reuses_it(tmp_path, env):
    choice = tmp_path / "choice.json"
    choice.write_text(json.dumps({"segments": {"a": {"kind": "card"}, "b": {"kind": "x"}}}))
    for segment in ("a", "b"):
        out = tmp_path / f"{segment}.json"
        command, log = job_command(
            tmp_path,
            "footage_pick",
            {},
            [choice],
            [out],
            ["channel=c", "video=v", f"segment={segment}"],
        )
        done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stderr
        assert json.loads(out.read_text())["kind"] in ("card", "x")
        assert log.read_text().rstrip().endswith(", in the job server)")
    assert len(servers(env["TMPDIR"])) == 1  # one server, warm for the second job


def test_a_user_error_reaches_the_jobs_own_stderr_with_exit_1(tmp_path, env):
    message = "channels/c/videos/v.yaml: segments[0].text: must not be empty"
    command, log = job_command(tmp_path, "invalid", {"error": message}, [], [tmp_path / "x"])
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert (done.returncode, done.stderr.strip()) == (1, f"snakereel: {message}")
    assert message in log.read_text()
    assert servers(env["TMPDIR"]), "it ran in the server"


def test_turned_off_the_job_runs_in_its_own_process(tmp_path, env):
    command, log = job_command(tmp_path, "music", {"spec": '{"seed": 1}'}, [], [tmp_path / "m.wav"])
    off = {**env, "SNAKEREEL_JOB_SERVER": "0"}
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=off)
    assert done.returncode == 0, done.stderr
    assert log.read_text().rstrip().endswith(" s)") and not servers(env["TMPDIR"])


def test_a_killed_job_takes_its_fork_and_tools_with_it(tmp_path, env):
    """A download from a server that never answers: kill the job (as Snakemake does), and
    its fork in the job server is gone at once, leaving no output."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    choice = tmp_path / "footage.json"
    url = f"http://127.0.0.1:{silent.getsockname()[1]}/clip.mp4"
    choice.write_text(json.dumps({"kind": "video", "url": url}))
    out = tmp_path / "footage.media"
    command, log = job_command(
        tmp_path,
        "footage_download",
        {"channels_dir": "channels"},
        [choice],
        [out],
        ["channel=c", "video=v", "segment=s"],
    )
    job = subprocess.Popen(command, cwd=tmp_path, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while "GET" not in (log.read_text() if log.exists() else "") and time.monotonic() < deadline:
        time.sleep(0.05)
    (server,) = servers(env["TMPDIR"])
    forks = server.children()
    assert forks, "the job runs in a fork"
    os.killpg(job.pid, signal.SIGKILL)
    job.wait()
    gone, alive = psutil.wait_procs(forks, timeout=10)
    silent.close()
    assert not alive and not out.exists()


def test_a_broken_request_never_stops_the_server(tmp_path, env):
    command, log = job_command(tmp_path, "music", {"spec": '{"seed": 2}'}, [], [tmp_path / "m.wav"])
    assert subprocess.run(command, cwd=tmp_path, env=env).returncode == 0
    (server,) = servers(env["TMPDIR"])
    for garbage in (b"", b"\x00" * 8, (5).to_bytes(8, "big") + b"not marshal"):
        with socket.socket(socket.AF_UNIX) as connection:
            connection.connect(server.cmdline()[-1])
            connection.sendall(garbage)
    (tmp_path / "m.wav").unlink()
    assert subprocess.run(command, cwd=tmp_path, env=env).returncode == 0
    assert servers(env["TMPDIR"]) == [server] and (tmp_path / "m.wav").exists()
