"""A real OpenAI-compatible chat-completions server on 127.0.0.1, scripted per test.

`POST /v1/chat/completions` takes the next scripted reply (the last one repeats);
`GET /v1/models` lists `models`. A reply with no body answers with a valid script about
the request's topic, so every topic gets its own title.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def script_answer(topic: str, scenes: int = 3) -> dict:
    """What a model would answer: the writer schema's fields, filled in."""
    return {
        "title": f"Why {topic} works",
        "description": f"A short video about {topic}.",
        "tags": ["habits", topic.split()[0].lower()],
        "segments": [
            {
                "text": f"Scene {n} about {topic}. Here is one small idea you can use today.",
                "title": f"Idea {n}",
                "image_prompt": f"a calm morning scene, number {n}",
                "search": "morning routine coffee",
            }
            for n in range(1, scenes + 1)
        ],
    }


def completion(content: str, prompt_tokens: int = 120, completion_tokens: int = 80) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


@dataclass
class Reply:
    status: int = 200
    content: str | dict | None = None  # the message content: None -> a valid script
    body: dict | None = None  # a whole response body instead (errors)
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


def topic_of(request: dict) -> str:
    for message in request["body"]["messages"]:
        if message["role"] == "user":
            return json.loads(message["content"])["topic"]
    return "nothing"


class LLMServer:
    def __init__(self, replies: list[Reply] | None = None, models=("test-model",)):
        self.replies = list(replies or [Reply()])
        self.models = list(models)
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, payload: dict, headers: dict | None = None):
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def do_GET(self):
                if self.path.rstrip("/") != "/v1/models":
                    self._send(404, {"error": {"message": "not found"}})
                    return
                listed = [{"id": m, "object": "model", "owned_by": "test"} for m in server.models]
                self._send(200, {"object": "list", "data": listed})

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                headers = {name.lower(): value for name, value in self.headers.items()}
                request = {"path": self.path, "headers": headers, "body": body}
                server.requests.append(request)
                index = min(len(server.requests), len(server.replies)) - 1
                reply = server.replies[index]
                time.sleep(reply.delay)
                if reply.body is not None:
                    self._send(reply.status, reply.body, reply.headers)
                    return
                content = reply.content
                if content is None:  # as many scenes as the schema asks for at least
                    schema = body["response_format"]["json_schema"]["schema"]
                    scenes = schema["properties"]["segments"].get("minItems", 3)
                    content = script_answer(topic_of(request), scenes)
                if isinstance(content, dict):
                    content = json.dumps(content)
                self._send(reply.status, completion(content), reply.headers)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> LLMServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
