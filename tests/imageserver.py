"""A real OpenAI-compatible images server on 127.0.0.1, scripted per test (also used by
bench/cache.py). Each POST takes the next scripted reply; the last reply repeats."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image


def png_bytes(size=(1024, 1792), seed: str = "") -> bytes:
    """A real PNG whose colour depends on `seed` (e.g. the prompt)."""
    color = tuple(hashlib.sha256(seed.encode()).digest()[:3])
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Reply:
    status: int = 200
    body: object = None  # dict -> JSON; bytes as is; None -> an image for the prompt
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    as_url: bool = False


class ImageServer:
    def __init__(self, replies: list[Reply] | None = None, delay: float = 0.0):
        self.replies = list(replies or [Reply(delay=delay)])
        self.requests: list[dict] = []
        self.downloads: list[dict] = []
        self._images: dict[str, bytes] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.downloads.append(dict(self.headers))
                data = server._images.get(self.path.split("?")[0])
                self.send_response(200 if data else 404)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(data or b"")

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                index = min(len(server.requests), len(server.replies)) - 1
                reply = server.replies[index]
                time.sleep(reply.delay)
                payload = reply.body
                if payload is None:
                    image = png_bytes(seed=body.get("prompt", ""))
                    if reply.as_url:
                        path = f"/files/{len(server.requests)}.png"
                        server._images[path] = image
                        payload = {"data": [{"url": f"{server.url}{path}?sig=secret"}]}
                    else:
                        payload = {"data": [{"b64_json": base64.b64encode(image).decode()}]}
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ImageServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
