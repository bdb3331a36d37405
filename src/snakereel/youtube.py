"""The YouTube Data API v3 client: OAuth credentials and the resumable `videos.insert`.

Credentials are an OAuth "authorized user" file (client id and secret, refresh token) of
mode 0600; google-auth refreshes the access token, always at the configured token URL (a
`token_uri` inside the file is not trusted). Uploads speak the resumable protocol through
google-resumable-media over an `AuthorizedSession` (which refreshes on a 401 by itself):

- the session URI is saved beside the receipt before the first byte, so a killed run
  resumes the same session by a status query instead of starting over;
- a dropped connection or a 5xx is followed by a status query and the upload goes on from
  the byte the server acknowledged, with a bounded, doubling backoff;
- quota and rate-limit answers stop with one line saying when to retry.

No token, secret or session URI is ever logged or put in an error message.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import google.auth.exceptions
import requests
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2.credentials import Credentials
from google.resumable_media import common
from google.resumable_media.requests import ResumableUpload

from .errors import SnakereelError
from .io import atomic_path

log = logging.getLogger("snakereel.youtube")

SCOPES = ["https://www.googleapis.com/auth/youtube.upload"]
UPLOAD_PATH = "/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status"
CHUNK = 8 * 1024 * 1024  # a multiple of 256 KiB, as the protocol requires
MAX_SLEEP = 300.0
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded", "uploadLimitExceeded"}
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
PACIFIC = ZoneInfo("America/Los_Angeles")  # YouTube's daily quota resets at midnight PT
TIMEOUT = (20, 120)  # connect, read seconds for each request


class QuotaExceeded(SnakereelError):
    """The API said no more uploads for now: the publish step stops, it does not retry."""

    def __init__(self, message: str, until: datetime, **where):
        super().__init__(message, **where)
        self.until = until


# -- credentials


def credentials_file(setting: str) -> Path:
    return Path(os.path.expanduser(setting))


def check_credentials_file(path: Path, where: Path | str, channel: str) -> dict:
    """The parsed credentials file, if it exists, is private (0600) and is complete."""
    field = "youtube.credentials"
    login = f"snakereel youtube login {channel} --client-secrets FILE"
    if not path.is_file():
        raise SnakereelError(
            f"credentials file not found: {path}", file=where, field=field, hint=f"run `{login}`"
        )
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise SnakereelError(
            f"credentials file {path} is readable by others (mode {mode:o})",
            file=where,
            field=field,
            hint=f"chmod 600 {path}",
        )
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        info = None
    needed = ("client_id", "client_secret", "refresh_token")
    if not isinstance(info, dict) or not all(isinstance(info.get(k), str) for k in needed):
        raise SnakereelError(
            f"credentials file {path} is not an OAuth authorized-user file",
            file=where,
            field=field,
            hint=f"run `{login}` again",
        )
    return info


def load_credentials(info: Mapping, token_url: str) -> Credentials:
    credentials = Credentials.from_authorized_user_info(dict(info), scopes=SCOPES)
    return credentials.with_token_uri(token_url)


def refresh(credentials: Credentials, path: Path, channel: str) -> None:
    """Get a fresh access token; a refresh token that stopped working ends in one line."""
    try:
        credentials.refresh(Request())
    except google.auth.exceptions.RefreshError as error:
        raise refresh_error(error, path, channel) from None
    except google.auth.exceptions.TransportError as error:
        raise SnakereelError(
            f"token endpoint unreachable ({type(error.__cause__ or error).__name__})",
            field="youtube.token_url",
        ) from None


def refresh_error(error: Exception, path: Path, channel: str) -> SnakereelError:
    if "invalid_grant" in str(error):
        return SnakereelError(
            "the refresh token no longer works (invalid_grant: revoked, or expired after"
            " 7 days while the OAuth consent screen is in Testing)",
            file=path,
            hint=f"log in again: snakereel youtube login {channel} --client-secrets FILE",
        )
    return SnakereelError("the token refresh was refused", file=path, hint="log in again")


def write_credentials(path: Path, credentials: Credentials) -> None:
    """The authorized-user file, mode 0600 from its first byte (never the access token)."""
    data = {
        "type": "authorized_user",
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "refresh_token": credentials.refresh_token,
        "scopes": list(credentials.scopes or SCOPES),
    }
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_private_json(path, data)


def login(client_secrets: Path, target: Path, token_url: str, open_browser: bool = True) -> None:
    """Google's installed-app flow: a browser consent, a loopback redirect, a code exchange."""
    from google_auth_oauthlib.flow import InstalledAppFlow  # lazy: only `youtube login`

    try:
        config = json.loads(Path(client_secrets).read_text(encoding="utf-8"))
        client = config.get("installed") or config["web"]
        client["token_uri"] = token_url
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        raise SnakereelError(
            "not an OAuth client secrets file (an 'installed' or 'web' client)",
            file=client_secrets,
            hint="download it from the Google Cloud console (docs/publishing.md)",
        ) from None
    flow = InstalledAppFlow.from_client_config({"installed": client}, scopes=SCOPES)
    try:
        credentials = flow.run_local_server(port=0, open_browser=open_browser)
    except Exception as error:  # oauthlib raises many types; none may leak a secret
        raise SnakereelError(
            f"login failed ({type(error).__name__})", file=client_secrets
        ) from None
    if not credentials.refresh_token:
        raise SnakereelError("the login gave no refresh token", hint="log in again")
    write_credentials(target, credentials)


# -- quota and rate limits


def retry_after(reason: str, now: datetime | None = None, wait: str = "") -> tuple[str, datetime]:
    """(the line to print, when to try again): the next midnight Pacific time for a quota,
    the server's Retry-After (else a minute) for a rate limit."""
    now = now or datetime.now(UTC)
    if reason in RATE_REASONS or reason == "429":
        seconds = int(wait) if wait.isdigit() else 60
        line = f"rate limited ({reason}): retry `snakemake publish` in {seconds} s or more"
        return line, now + timedelta(seconds=seconds)
    local = now.astimezone(PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), PACIFIC)
    hours, minutes = divmod(int((midnight - now).total_seconds()) // 60, 60)
    when = midnight.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    line = (
        f"YouTube quota exceeded ({reason}): retry `snakemake publish` after midnight"
        f" Pacific time ({when}, in {hours} h {minutes:02d} min)"
    )
    return line, midnight.astimezone(UTC)


def _reason(response: requests.Response) -> str:
    try:
        errors = response.json()["error"]["errors"]
        return str(errors[0]["reason"])
    except (ValueError, KeyError, IndexError, TypeError):
        return ""


def check_answer(response: requests.Response, where: Path | str) -> None:
    """Raise the one line a failed API answer deserves; return for a usable one."""
    status = response.status_code
    if status < 400:
        return
    reason = _reason(response)
    if reason in QUOTA_REASONS | RATE_REASONS or status == 429:
        line, until = retry_after(reason or "429", wait=response.headers.get("Retry-After", ""))
        raise QuotaExceeded(line, until, file=where)
    if status in (401, 403):
        raise SnakereelError(
            f"YouTube refused the upload (HTTP {status} {reason or 'forbidden'})",
            file=where,
            hint="check the channel's credentials and the API project (docs/publishing.md)",
        )
    raise SnakereelError(f"YouTube answered HTTP {status} {reason}".rstrip(), file=where)


# -- the resumable upload


class VideoUpload(ResumableUpload):
    """google-resumable-media's resumable upload, fitted to videos.insert: the last chunk
    may be answered 201 Created; the status query names the total size (as YouTube's guide
    shows); a session can be picked up from its saved URI; retries are ours, not the
    library's (each one first asks the server what it has)."""

    def __init__(self, url: str, chunk_size: int):
        super().__init__(url, chunk_size)
        self._retry_strategy = common.RetryStrategy(max_retries=0)
        self.video: dict = {}

    def resume(self, session_url: str, stream, total: int, content_type: str) -> None:
        self._resumable_url = session_url
        self._stream = stream
        self._total_bytes = total
        self._content_type = content_type
        self.mark_unknown()  # nothing known until the status query answers

    def mark_unknown(self) -> None:
        """After a failure: ask the server what it has before sending more."""
        self._invalid = True

    def _finish(self, response) -> None:
        self._bytes_uploaded = self._total_bytes
        self._finished = True
        self.video = response.json()

    def _process_resumable_response(self, response, bytes_sent):
        if response.status_code in (200, 201):
            self._finish(response)
            return
        super()._process_resumable_response(response, bytes_sent)

    def _prepare_recover_request(self):
        method, url, payload, headers = super()._prepare_recover_request()
        return method, url, payload, {**headers, "content-range": f"bytes */{self._total_bytes}"}

    def _process_recover_response(self, response):
        if response.status_code in (200, 201):  # it had every byte already
            self._finish(response)
            return
        super()._process_recover_response(response)


@dataclass(frozen=True)
class Target:
    """Where and how to upload: the API root, the retry policy, the session file."""

    base_url: str
    session_file: Path
    retries: int = 6
    backoff: float = 2.0
    chunk_size: int = CHUNK
    credentials_file: Path = Path()  # named in a refresh failure's line
    channel: str = ""


def upload(credentials: Credentials, video: Path, body: dict, target: Target) -> dict:
    """Upload `video` with the resource `body`; return the video resource YouTube answered.

    A session saved by an earlier run for the same file and slot is resumed; its file is
    removed once the upload is finished. A 401 refreshes the token and sends again."""
    try:
        return _upload(AuthorizedSession(credentials), video, body, target)
    except google.auth.exceptions.RefreshError as error:
        raise refresh_error(error, target.credentials_file, target.channel) from None


def _upload(session: AuthorizedSession, video: Path, body: dict, target: Target) -> dict:
    size = video.stat().st_size
    with open(video, "rb") as stream:
        job = _resume_saved(session, _new(target), stream, body, size, target)
        if job is None:
            job = _new(target)
            _start(session, job, stream, body, size, target)
        _send(session, job, target)
    target.session_file.unlink(missing_ok=True)
    return job.video


def _new(target: Target) -> VideoUpload:
    return VideoUpload(target.base_url.rstrip("/") + UPLOAD_PATH, target.chunk_size)


def _start(session, job: VideoUpload, stream, body: dict, size: int, target: Target) -> None:
    failures = 0
    while job.resumable_url is None:
        try:
            job.initiate(session, stream, body, "video/mp4", total_bytes=size, timeout=TIMEOUT)
        except common.InvalidResponse as error:
            if error.response.status_code < 500:
                check_answer(error.response, target.session_file)
                status = error.response.status_code
                raise SnakereelError(f"unexpected answer HTTP {status}") from None
            failures = _wait(failures, f"HTTP {error.response.status_code}", target)
        except requests.RequestException as error:
            failures = _wait(failures, type(error).__name__, target)
    saved = {"url": job.resumable_url, "size": size, "publish_at": _publish_at(body)}
    write_private_json(target.session_file, saved)
    log.info("upload session started and saved (%d bytes to send)", size)


def _resume_saved(session, job: VideoUpload, stream, body: dict, size: int, target):
    """The session a killed run left, if it is for this file and slot and still open."""
    try:
        saved = json.loads(target.session_file.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if (saved.get("size"), saved.get("publish_at")) != (size, _publish_at(body)):
        log.info("a saved session was for another file or slot; starting a new one")
        return None
    job.resume(saved["url"], stream, size, "video/mp4")
    try:
        job.recover(session)
    except common.InvalidResponse as error:
        if error.response.status_code in (404, 410):
            log.info("the saved session has expired; starting a new one")
            return None
        job.mark_unknown()  # a 5xx: the send loop asks again, with its backoff
    except requests.RequestException:
        job.mark_unknown()
    log.info("resuming a saved session at byte %d of %d", job.bytes_uploaded, size)
    return job


def _send(session, job: VideoUpload, target: Target) -> None:
    failures = 0
    while not job.finished:
        try:
            if job.invalid:
                job.recover(session)
            else:
                job.transmit_next_chunk(session, timeout=TIMEOUT)
                failures = 0
                log.info("acknowledged %d of %d bytes", job.bytes_uploaded, job.total_bytes)
        except common.InvalidResponse as error:
            status = error.response.status_code
            if status < 500:
                check_answer(error.response, target.session_file)
                raise SnakereelError(f"unexpected answer HTTP {status}") from None
            failures = _wait(failures, f"HTTP {status}", target)
            job.mark_unknown()
        except requests.RequestException as error:
            failures = _wait(failures, type(error).__name__, target)
            job.mark_unknown()  # what the server has is asked before the next chunk


def _wait(failures: int, what: str, target: Target) -> int:
    if failures >= target.retries:
        raise SnakereelError(
            f"upload interrupted ({what}) {failures + 1} times in a row; the session is saved",
            file=target.session_file,
            hint="run `snakemake publish` again later: it resumes where the server stopped",
        )
    delay = min(MAX_SLEEP, target.backoff * 2**failures)
    log.info("%s; asking the server what it has in %.1f s", what, delay)
    time.sleep(delay)
    return failures + 1


def _publish_at(body: Mapping) -> str:
    return body.get("status", {}).get("publishAt", "")


def write_private_json(path: Path, data: dict) -> None:
    """Atomically, and mode 0600 from the first byte: credentials and session URIs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1, sort_keys=True)
            out.write("\n")
