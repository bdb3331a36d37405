"""A loopback stand-in for Google's OAuth endpoints and YouTube's resumable videos.insert,
speaking the documented protocols, with scripted faults.

- `GET /o/oauth2/auth`: the consent screen, answered at once by a redirect to the client's
  loopback `redirect_uri` with `code` and `state`;
- `POST /token`: `authorization_code` and `refresh_token` grants (`invalid_grant` for a
  revoked refresh token);
- `POST /upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`: a session,
  answered 200 with its URI in `Location`;
- `PUT <session>`: with `Content-Range: bytes A-B/TOTAL` a chunk (308 with
  `Range: bytes=0-N`, or 201 with the video resource when complete); with
  `Content-Range: bytes */TOTAL` (or `*/*`) a status query.

Faults are scripted per request kind ("init", "chunk", "status", "refresh") and taken in
order: "drop" (keep half the chunk, then close the connection without an answer), "401"
(the access token expires), "quota" / "rate" (the documented 403 error JSON), "500",
"503", "hang" (keep the chunk, then wait until the server is closed).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


@dataclass
class Session:
    metadata: dict
    total: int
    data: bytearray = field(default_factory=bytearray)
    overlaps: int = 0  # chunks that started before the byte the server had acknowledged
    video: dict = field(default_factory=dict)


def error_json(status: int, reason: str, domain: str, message: str) -> dict:
    """The error body Google APIs document: {"error": {"code", "message", "errors": [...]}}."""
    item = {"domain": domain, "reason": reason, "message": message}
    return {"error": {"code": status, "message": message, "errors": [item]}}


FAULT_BODIES = {
    "quota": (
        403,
        error_json(
            403,
            "quotaExceeded",
            "youtube.quota",
            "The request cannot be completed because you have exceeded your quota.",
        ),
    ),
    "rate": (403, error_json(403, "rateLimitExceeded", "youtube.quota", "Rate limit exceeded")),
    "500": (500, error_json(500, "backendError", "global", "Backend Error")),
    "503": (503, error_json(503, "backendError", "global", "Service unavailable")),
}


class YouTubeServer:
    def __init__(self):
        self.faults: dict[str, list[str]] = defaultdict(list)
        self.sessions: dict[str, Session] = {}
        self.requests: list[tuple[str, str, dict]] = []  # (method, path, headers)
        self.tokens: set[str] = set()
        self.refresh_tokens = {"refresh-1"}
        self.codes: dict[str, str] = {}
        self.grants: list[str] = []
        self.closed = threading.Event()
        self.received = threading.Condition()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                server._record(self)
                server._authorize(self)

            def do_POST(self):
                server._record(self)
                if self.path.startswith("/token"):
                    server._token(self)
                elif self.path.startswith("/upload/youtube/v3/videos"):
                    server._initiate(self)
                else:
                    server._answer(self, 404, {})

            def do_PUT(self):
                server._record(self)
                server._put(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    # -- scripting and inspection

    def script(self, kind: str, *faults: str) -> None:
        self.faults[kind].extend(faults)

    def only_session(self) -> Session:
        assert len(self.sessions) == 1, f"{len(self.sessions)} sessions"
        return next(iter(self.sessions.values()))

    def wait_for_bytes(self, count: int, timeout: float = 20) -> None:
        with self.received:
            ok = self.received.wait_for(
                lambda: any(len(s.data) >= count for s in self.sessions.values()), timeout
            )
        assert ok, "the upload never reached the expected byte"

    def client_secrets(self) -> dict:
        """What the Google Cloud console lets you download for a desktop OAuth client."""
        return {
            "installed": {
                "client_id": "test-client.apps.googleusercontent.com",
                "client_secret": "test-secret",
                "auth_uri": f"{self.url}/o/oauth2/auth",
                "token_uri": f"{self.url}/token",
                "redirect_uris": ["http://localhost"],
            }
        }

    def authorized_user(self, refresh_token: str = "refresh-1") -> dict:
        return {
            "type": "authorized_user",
            "client_id": "test-client.apps.googleusercontent.com",
            "client_secret": "test-secret",
            "refresh_token": refresh_token,
            # never trusted: the configured token_url is used instead
            "token_uri": "https://oauth2.invalid/token",
        }

    # -- handlers

    def _record(self, handler) -> None:
        self.requests.append((handler.command, handler.path, dict(handler.headers)))

    def _fault(self, kind: str) -> str:
        return self.faults[kind].pop(0) if self.faults[kind] else ""

    def _body(self, handler) -> bytes:
        return handler.rfile.read(int(handler.headers.get("Content-Length", 0)))

    def _answer(self, handler, status: int, body, headers: dict | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        if data:
            handler.send_header("Content-Type", "application/json; charset=UTF-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _authorize(self, handler) -> None:
        url = urlparse(handler.path)
        if url.path != "/o/oauth2/auth":
            self._answer(handler, 404, {})
            return
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert query["response_type"] == "code" and "youtube.upload" in query["scope"]
        code = "code-" + secrets.token_hex(4)
        self.codes[code] = query["redirect_uri"]
        target = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
        self._answer(handler, 302, None, {"Location": target})

    def _token(self, handler) -> None:
        form = {k: v[0] for k, v in parse_qs(self._body(handler).decode()).items()}
        grant = form.get("grant_type", "")
        self.grants.append(grant)
        if grant == "authorization_code" and self.codes.pop(form.get("code"), None):
            self.refresh_tokens.add("refresh-login")
            self._answer(handler, 200, self._access("refresh-login"))
        elif grant == "refresh_token" and form.get("refresh_token") in self.refresh_tokens:
            if self._fault("refresh") == "500":
                self._answer(handler, 500, {"error": "internal_failure"})
                return
            self._answer(handler, 200, self._access())
        else:
            error = {
                "error": "invalid_grant",
                "error_description": "Token has been expired or revoked.",
            }
            self._answer(handler, 400, error)

    def _access(self, refresh_token: str = "") -> dict:
        token = "access-" + secrets.token_hex(6)
        self.tokens.add(token)
        body = {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}
        body["scope"] = "https://www.googleapis.com/auth/youtube.upload"
        if refresh_token:
            body["refresh_token"] = refresh_token
        return body

    def _authorized(self, handler, fault: str) -> bool:
        token = handler.headers.get("Authorization", "").removeprefix("Bearer ")
        if fault == "401":
            self.tokens.discard(token)
        if token in self.tokens:
            return True
        body = error_json(401, "authError", "global", "Invalid Credentials")
        self._answer(
            handler, 401, body, {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
        )
        return False

    def _initiate(self, handler) -> None:
        metadata = json.loads(self._body(handler) or b"{}")
        fault = self._fault("init")
        if not self._authorized(handler, fault):
            return
        if fault in FAULT_BODIES:
            self._answer(handler, *FAULT_BODIES[fault])
            return
        query = parse_qs(urlparse(handler.path).query)
        assert query["uploadType"] == ["resumable"] and query["part"] == ["snippet,status"]
        assert handler.headers["X-Upload-Content-Type"].startswith("video/")
        upload_id = secrets.token_hex(8)
        total = int(handler.headers["X-Upload-Content-Length"])
        self.sessions[upload_id] = Session(metadata, total)
        location = f"{self.url}/upload/youtube/v3/videos?uploadType=resumable&upload_id={upload_id}"
        self._answer(handler, 200, None, {"Location": location})

    def _put(self, handler) -> None:
        upload_id = parse_qs(urlparse(handler.path).query).get("upload_id", [""])[0]
        session = self.sessions.get(upload_id)
        content_range = handler.headers.get("Content-Range", "")
        if session is None:
            self._body(handler)
            self._answer(handler, 404, error_json(404, "notFound", "global", "Not Found"))
            return
        if content_range.startswith("bytes */"):
            self._status(handler, session)
            return
        self._chunk(handler, session, content_range)

    def _status(self, handler, session: Session) -> None:
        fault = self._fault("status")
        if not self._authorized(handler, fault):
            return
        if fault in FAULT_BODIES:
            self._answer(handler, *FAULT_BODIES[fault])
        elif session.video:
            self._answer(handler, 201, session.video)
        else:
            self._answer(handler, 308, None, self._range(session))

    def _chunk(self, handler, session: Session, content_range: str) -> None:
        fault = self._fault("chunk")
        if fault in ("drop", "hang"):
            length = int(handler.headers["Content-Length"])
            kept = handler.rfile.read(length // 2 if fault == "drop" else length)
            self._store(session, int(RANGE.match(content_range).group(1)), kept)
            if fault == "hang":
                self.closed.wait()
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        body = self._body(handler)
        if not self._authorized(handler, fault):
            return
        if fault in FAULT_BODIES:
            self._answer(handler, *FAULT_BODIES[fault])
            return
        self._store(session, int(RANGE.match(content_range).group(1)), body)
        if len(session.data) == session.total:
            session.video = self._video(session)
            self._answer(handler, 201, session.video)
        else:
            self._answer(handler, 308, None, self._range(session))

    def _store(self, session: Session, start: int, data: bytes) -> None:
        with self.received:
            if start != len(session.data):
                session.overlaps += 1
            session.data[start:] = data
            self.received.notify_all()

    @staticmethod
    def _range(session: Session) -> dict:
        return {"Range": f"bytes=0-{len(session.data) - 1}"} if session.data else {}

    @staticmethod
    def _video(session: Session) -> dict:
        video_id = "vid" + secrets.token_hex(4)
        return {
            "kind": "youtube#video",
            "id": video_id,
            "snippet": session.metadata.get("snippet", {}),
            "status": {**session.metadata.get("status", {}), "uploadStatus": "uploaded"},
        }

    def __enter__(self) -> YouTubeServer:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.closed.set()
        self._httpd.shutdown()
        self._httpd.server_close()
