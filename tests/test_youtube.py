"""The YouTube client against a loopback server speaking the OAuth and resumable-upload
protocols: refresh, chunks and 308s, dropped connections, 401, quota, 5xx, killed runs."""

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from snakereel import youtube
from snakereel.errors import SnakereelError
from tests.youtubeserver import YouTubeServer

CHUNK = 256 * 1024
SECRETS = ("test-secret", "refresh-1", "access-")


@pytest.fixture
def server():
    with YouTubeServer() as running:
        yield running


@pytest.fixture
def video(tmp_path) -> Path:
    path = tmp_path / "v.mp4"
    path.write_bytes(os.urandom(5 * CHUNK + 1234))
    return path


def credentials(server, refresh_token="refresh-1"):
    return youtube.load_credentials(server.authorized_user(refresh_token), server.url + "/token")


def target(server, tmp_path, **overrides) -> youtube.Target:
    settings = {"retries": 3, "backoff": 0.01, "chunk_size": CHUNK, "channel": "c"}
    return youtube.Target(server.url, tmp_path / "v.youtube.session.json", **settings | overrides)


BODY = {"snippet": {"title": "A title"}, "status": {"privacyStatus": "private"}}


def upload(server, video, tmp_path, **overrides) -> dict:
    return youtube.upload(credentials(server), video, BODY, target(server, tmp_path, **overrides))


def content_range(headers: dict) -> str:
    return {name.lower(): value for name, value in headers.items()}.get("content-range", "")


def assert_every_byte_once(server, video):
    session = server.only_session()
    assert session.overlaps == 0
    assert bytes(session.data) == video.read_bytes()


def test_chunks_answered_308_then_201_give_the_video(server, video, tmp_path):
    answer = upload(server, video, tmp_path)
    assert answer["id"].startswith("vid")
    assert_every_byte_once(server, video)
    assert server.only_session().metadata == BODY
    chunks = [h for method, _, h in server.requests if method == "PUT"]
    assert len(chunks) == 6  # five full chunks and the rest
    assert not (tmp_path / "v.youtube.session.json").exists()


def test_a_dropped_connection_resumes_from_the_acknowledged_byte(server, video, tmp_path):
    server.script("chunk", "", "drop", "", "drop")  # the 2nd and 4th chunks break half-way
    upload(server, video, tmp_path)
    assert_every_byte_once(server, video)  # nothing sent twice: the server kept half chunks
    ranges = [content_range(h) for m, _, h in server.requests if m == "PUT"]
    assert [r for r in ranges if "*/" in r] == [f"bytes */{video.stat().st_size}"] * 2


def test_401_refreshes_the_token_and_sends_again(server, video, tmp_path):
    server.script("chunk", "", "401")
    upload(server, video, tmp_path)
    assert server.grants.count("refresh_token") == 2  # the first token, then after the 401
    assert_every_byte_once(server, video)


def test_5xx_is_retried_with_backoff_then_reported(server, video, tmp_path, caplog):
    server.script("init", "503")
    server.script("chunk", "500", "503")
    with caplog.at_level(logging.INFO):
        upload(server, video, tmp_path)
    assert_every_byte_once(server, video)
    assert caplog.text.count("asking the server what it has") == 3
    server.script("chunk", *["500"] * 5)
    with pytest.raises(SnakereelError, match=r"interrupted \(HTTP 500\) 4 times.*resumes"):
        upload(server, video, tmp_path)
    assert (tmp_path / "v.youtube.session.json").exists()


@pytest.mark.parametrize("where", ["init", "chunk"])
def test_quota_exceeded_stops_with_when_to_retry(server, video, tmp_path, where):
    server.script(where, "quota")
    with pytest.raises(youtube.QuotaExceeded) as caught:
        upload(server, video, tmp_path)
    line = caught.value.one_line()
    assert "quotaExceeded" in line and "after midnight Pacific time" in line
    assert "\n" not in line and not any(secret in line for secret in SECRETS)


def test_rate_limit_says_retry_soon(server, video, tmp_path):
    server.script("init", "rate")
    with pytest.raises(youtube.QuotaExceeded, match=r"rateLimitExceeded.*in 60 s"):
        upload(server, video, tmp_path)


def test_quota_resets_at_midnight_pacific():
    now = datetime(2026, 12, 3, 20, 30, tzinfo=UTC)  # 12:30 in Los Angeles (PST)
    line, until = youtube.retry_after("quotaExceeded", now)
    assert until == datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    assert "2026-12-04 08:00 UTC, in 11 h 30 min" in line


KILLED_RUN = """
import sys
from pathlib import Path
from snakereel import youtube
from tests.test_youtube import BODY, credentials, target
from tests.youtubeserver import YouTubeServer

server = YouTubeServer()
server.url = sys.argv[1]
youtube.upload(credentials(server), Path(sys.argv[2]), BODY, target(server, Path(sys.argv[3])))
"""


def test_a_killed_run_resumes_the_saved_session(server, video, tmp_path):
    server.script("chunk", "", "", "hang")  # the third chunk never gets an answer
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, "-c", textwrap.dedent(KILLED_RUN), server.url]
    run = subprocess.Popen([*command, str(video), str(tmp_path)], env=env)
    try:
        server.wait_for_bytes(3 * CHUNK)
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    saved = json.loads((tmp_path / "v.youtube.session.json").read_text())
    assert saved["size"] == video.stat().st_size
    assert (tmp_path / "v.youtube.session.json").stat().st_mode & 0o777 == 0o600
    upload(server, video, tmp_path)
    assert_every_byte_once(server, video)  # one session, resumed after its third chunk


def test_an_expired_session_starts_a_new_one(server, video, tmp_path):
    session_file = tmp_path / "v.youtube.session.json"
    gone = {"url": server.url + "/upload/youtube/v3/videos?upload_id=gone"}
    session_file.write_text(json.dumps(gone | {"size": video.stat().st_size, "publish_at": ""}))
    upload(server, video, tmp_path)
    assert_every_byte_once(server, video)


def test_a_finished_upload_found_by_the_status_query_is_not_sent_again(server, video, tmp_path):
    first = upload(server, video, tmp_path)
    session_file = tmp_path / "v.youtube.session.json"
    url = next(p for m, p, _ in server.requests if m == "PUT")
    saved = {"url": server.url + url, "size": video.stat().st_size, "publish_at": ""}
    session_file.write_text(json.dumps(saved))  # as if killed before the receipt
    puts = sum(m == "PUT" for m, _, _ in server.requests)
    assert upload(server, video, tmp_path)["id"] == first["id"]
    assert sum(m == "PUT" for m, _, _ in server.requests) == puts + 1  # the status query


def test_the_token_url_in_the_file_is_ignored(server):
    creds = credentials(server)
    youtube.refresh(creds, Path("c.json"), "c")
    assert server.grants == ["refresh_token"] and creds.token.startswith("access-")


def test_invalid_grant_says_log_in_again(server, tmp_path):
    with pytest.raises(SnakereelError) as caught:
        youtube.refresh(credentials(server, "revoked"), tmp_path / "c.json", "mine")
    line = caught.value.one_line()
    assert "invalid_grant" in line and "snakereel youtube login mine" in line
    assert "\n" not in line and "revoked" not in line.split("(")[0]


def test_credentials_file_must_exist_be_private_and_complete(server, tmp_path):
    path = tmp_path / "creds.json"
    with pytest.raises(SnakereelError, match="not found.*youtube login c"):
        youtube.check_credentials_file(path, "channel.yaml", "c")
    path.write_text(json.dumps(server.authorized_user()))
    path.chmod(0o644)
    with pytest.raises(SnakereelError, match=r"readable by others \(mode 644\).*chmod 600") as e:
        youtube.check_credentials_file(path, "channel.yaml", "c")
    assert "test-secret" not in e.value.one_line()
    path.chmod(0o600)
    assert youtube.check_credentials_file(path, "channel.yaml", "c")["client_id"]
    path.write_text("{}")
    with pytest.raises(SnakereelError, match="not an OAuth authorized-user file"):
        youtube.check_credentials_file(path, "channel.yaml", "c")


def test_nothing_secret_is_logged(server, video, tmp_path, caplog):
    server.script("chunk", "drop", "401", "500")
    with caplog.at_level(logging.INFO):  # what upload jobs write to their logs
        upload(server, video, tmp_path)
    assert not any(secret in caplog.text for secret in SECRETS)
    assert "upload_id" not in caplog.text
