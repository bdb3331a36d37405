"""Pexels- and Pixabay-compatible stock APIs on 127.0.0.1, answering with their documented
JSON shapes and serving small clips the tests generate.

Pexels: GET /videos/search and /v1/search with the key in `Authorization`; answers
`{"videos": [{"id", "url", "user": {"name"}, "video_files": [{"link", "width", "height",
"quality", "file_type"}]}]}` and `{"photos": [{"id", "url", "photographer", "src": {...}}]}`.
Pixabay (base_url = <server>/api): GET /api/videos/ and /api/ with `key=` in the query;
answers `{"total", "totalHits", "hits": [{"id", "pageURL", "user", "videos": {"large",
"medium", "small", "tiny": {"url", "width", "height", "size"}}}]}` and image hits with
`largeImageURL`. Scripted replies (`Reply`) are taken before the normal answer; a file
marked `cut` is sent half, under the full Content-Length.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int
    body: object = None
    headers: dict = field(default_factory=dict)


@dataclass
class Clip:
    id: int
    renditions: dict  # name -> (width, height, bytes)
    author: str = "Ada Lens"
    tags: str = ""


class StockServer:
    def __init__(self, key: str):
        self.key = key
        self.clips: list[Clip] = []
        self.photos: list[tuple[int, int, int, bytes]] = []  # id, width, height, png
        self.files: dict[str, bytes] = {}
        self.cut: set[str] = set()
        self.replies: list[Reply] = []
        self.requests: list[dict] = []
        self.downloads: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server._get(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._httpd.shutdown()
        self._httpd.server_close()

    def add_clip(self, clip_id: int, renditions: dict, **extra) -> None:
        stored = {}
        for name, (width, height, data) in renditions.items():
            path = f"/files/{clip_id}-{name}.mp4"
            self.files[path] = data
            stored[name] = (width, height, path)
        self.clips.append(Clip(clip_id, stored, **extra))

    def add_photo(self, photo_id: int, width: int, height: int, png: bytes) -> None:
        self.files[f"/files/photo-{photo_id}.png"] = png
        self.photos.append((photo_id, width, height, png))

    # --- answers

    def _get(self, handler) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path.startswith("/files/"):
            self.downloads.append(parts.path)
            return self._file(handler, parts.path)
        self.requests.append({"path": parts.path, "query": query, "headers": dict(handler.headers)})
        pixabay = parts.path.startswith("/api")
        given = query.get("key") if pixabay else handler.headers.get("Authorization")
        if self.replies:
            reply = self.replies.pop(0)
            return self._json(handler, reply.status, reply.body or {}, reply.headers)
        if given != self.key:
            return self._json(handler, 401, {"error": "Unauthorized"})
        answers = {
            "/videos/search": self._pexels_videos,
            "/v1/search": self._pexels_photos,
            "/api/videos/": self._pixabay_videos,
            "/api/": self._pixabay_photos,
        }
        answer = answers.get(parts.path)
        if answer is None:
            return self._json(handler, 404, {"error": "not found"})
        self._json(handler, 200, answer(query))

    def _json(self, handler, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _file(self, handler, path: str) -> None:
        data = self.files.get(path)
        if data is None:
            handler.send_response(404)
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "video/mp4")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data[: len(data) // 2] if path in self.cut else data)
        handler.wfile.flush()
        if path in self.cut:
            handler.close_connection = True

    def _matching(self, query: str) -> list[Clip]:
        words = set(query.lower().split())
        return [c for c in self.clips if not c.tags or words & set(c.tags.split())]

    def _pexels_videos(self, query: dict) -> dict:
        videos = []
        for clip in self._matching(query.get("query", ""))[: int(query.get("per_page", 15))]:
            files = [
                {
                    "id": i,
                    "quality": name,
                    "file_type": "video/mp4",
                    "width": w,
                    "height": h,
                    "fps": 30,
                    "link": self.url + path,
                }  # fmt: skip
                for i, (name, (w, h, path)) in enumerate(clip.renditions.items())
            ]
            width, height = max((w, h) for w, h, _ in clip.renditions.values())
            videos.append(
                {
                    "id": clip.id,
                    "width": width,
                    "height": height,
                    "url": f"https://www.pexels.com/video/clip-{clip.id}/",
                    "duration": 1,
                    "user": {"id": 7, "name": clip.author, "url": "https://www.pexels.com/@ada"},
                    "video_files": files,
                    "video_pictures": [],
                }
            )
        return {"page": 1, "per_page": len(videos), "total_results": len(videos), "videos": videos}

    def _pexels_photos(self, query: dict) -> dict:
        photos = [
            {
                "id": photo_id,
                "width": w,
                "height": h,
                "url": f"https://www.pexels.com/photo/p-{photo_id}/",
                "photographer": "Pat Photo",
                "src": {
                    "original": f"{self.url}/files/photo-{photo_id}.png",
                    "large2x": f"{self.url}/files/photo-{photo_id}.png",
                },  # fmt: skip
            }
            for photo_id, w, h, _ in self.photos
        ]
        return {"page": 1, "per_page": len(photos), "total_results": len(photos), "photos": photos}

    def _pixabay_videos(self, query: dict) -> dict:
        hits = []
        for clip in self._matching(query.get("q", ""))[: int(query.get("per_page", 20))]:
            videos = {
                name: {
                    "url": self.url + path,
                    "width": w,
                    "height": h,
                    "size": len(self.files[path]),
                    "thumbnail": "",
                }  # fmt: skip
                for name, (w, h, path) in clip.renditions.items()
            }
            hits.append(
                {
                    "id": clip.id,
                    "pageURL": f"https://pixabay.com/videos/clip-{clip.id}/",
                    "type": "film",
                    "tags": clip.tags,
                    "duration": 1,
                    "videos": videos,
                    "user_id": 9,
                    "user": clip.author,
                }
            )
        return {"total": len(hits), "totalHits": len(hits), "hits": hits}

    def _pixabay_photos(self, query: dict) -> dict:
        hits = [
            {
                "id": photo_id,
                "pageURL": f"https://pixabay.com/photos/p-{photo_id}/",
                "largeImageURL": f"{self.url}/files/photo-{photo_id}.png",
                "webformatURL": f"{self.url}/files/photo-{photo_id}.png",
                "imageWidth": w,
                "imageHeight": h,
                "user": "Pat Photo",
            }
            for photo_id, w, h, _ in self.photos
        ]
        return {"total": len(hits), "totalHits": len(hits), "hits": hits}
