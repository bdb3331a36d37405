"""Image providers beyond the generated card: an OpenAI-compatible images API over HTTP.

The client is the standard library's urllib: the job makes one JSON POST (and at most one
GET for a `url` answer), so a third-party HTTP stack would add a dependency for nothing.
The API key is read from the environment variable whose *name* the channel gives; it is
sent only in the Authorization header of the POST, never logged, and redacted from any
text a server sends back before that text reaches an error message.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from .errors import SnakereelError
from .images import SIZE, canvas_size, code_version, decode_image, make_card

log = logging.getLogger("snakereel.providers")

PATH = "/images/generations"
VERSION = re.compile(r"/v\d+[a-z0-9]*(/|$)")  # /v1, /v1beta, /api/v1, /v1beta/openai
IMAGE_POLICY = "SNAKEREEL_IMAGE_POLICY"  # set by the workflow: each channel's images settings
MAX_BYTES = 64 * 1024 * 1024  # a 9:16 PNG from any provider is far smaller
MAX_WAIT = 60.0  # cap on a server's Retry-After


class ProviderError(SnakereelError):
    """The provider failed; `calls` is the number of requests that were made."""

    def __init__(self, message: str, *, calls: int, hint: str = ""):
        super().__init__(message, field="images.http", hint=hint)
        self.calls = calls


@dataclass
class Generated:
    image: Image.Image
    calls: int


@functools.cache
def _opener():
    """urllib without redirects: a redirect would resend the Authorization header to
    wherever it points. (The HTTP modules are imported here: most image jobs draw a card.)"""
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    return urllib.request.build_opener(NoRedirect)


def full_prompt(prompt: str, style: str) -> str:
    """The segment's prompt followed by the channel's style suffix."""
    return ", ".join(part.strip() for part in (prompt, style) if part and part.strip())


def legacy_base_url(base_url: str) -> bool:
    """A server root without the version path (the old form: /v1 is then added)."""
    return not VERSION.search(base_url.split("://", 1)[-1])


def images_url(base_url: str) -> str:
    """POST target: `base_url` as the OpenAI client takes it, version path included."""
    base = base_url.rstrip("/")
    return base + ("/v1" if legacy_base_url(base) else "") + PATH


def legacy_notice(channel: str, base_url: str) -> str:
    return (
        f"{channel}: images.http.base_url {base_url} has no version path; "
        f"write {base_url.rstrip('/')}/v1 (the form every service setting takes)"
    )


def request_body(settings: dict, prompt: str) -> dict:
    body = {"model": settings["model"], "prompt": prompt, "size": settings["size"], "n": 1}
    for optional in ("quality", "response_format"):
        if settings.get(optional):
            body[optional] = settings[optional]
    return body


def api_key(settings: dict) -> str:
    name = settings.get("api_key_env", "")
    if not name:
        return ""
    key = os.environ.get(name, "")
    if not key:
        raise ProviderError(
            f"environment variable {name} is not set",
            calls=0,
            hint=f"export {name}=<your key>, or set images.http.api_key_env",
        )
    return key


def _redact(text: str, key: str) -> str:
    """One line of at most 300 characters, the key replaced before anything is cut."""
    if key:
        text = text.replace(key, "[key]")
    return " ".join(text.split())[:300]


def _detail(body: bytes, key: str) -> str:
    """The server's own error message, if it sent one, without the key."""
    try:
        data = json.loads(body)
        message = data["error"]["message"] if isinstance(data.get("error"), dict) else data
    except (ValueError, KeyError, TypeError, AttributeError):
        message = body.decode("utf-8", "replace")
    return _redact(str(message), key)


def _read(response, limit: int = MAX_BYTES) -> bytes:
    data = response.read(limit + 1)
    if len(data) > limit:
        raise ProviderError(f"response larger than {limit // 2**20} MB", calls=0)
    return data


def _retry_after(headers, default: float) -> float:
    try:
        return min(MAX_WAIT, max(0.0, float(headers.get("Retry-After", ""))))
    except (TypeError, ValueError):
        return default


def generate(
    settings: dict, prompt: str, *, sleep: Callable[[float], None] = time.sleep
) -> Generated:
    """One image for `prompt`, fitted to 9:16. Retries 429, 5xx, timeouts and dropped
    connections up to `retries` times with exponential backoff; any other 4xx, or a
    body that is not an image, fails at once."""
    import http.client
    import urllib.error
    import urllib.request

    url = images_url(settings["base_url"])
    if legacy_base_url(settings["base_url"]):
        log.warning("%s", legacy_notice("images.http", settings["base_url"]))
    key = api_key(settings)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(request_body(settings, prompt)).encode()
    attempts = settings["retries"] + 1
    problem = ""
    for attempt in range(1, attempts + 1):
        wait = settings["backoff"] * 2 ** (attempt - 1)
        log.info("POST %s model=%s attempt %d/%d", url, settings["model"], attempt, attempts)
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with _opener().open(request, timeout=settings["timeout"]) as response:
                body = _read(response)
            return Generated(_image(body, settings, key, attempt), attempt)
        except ProviderError as error:
            error.calls = attempt
            raise
        except urllib.error.HTTPError as error:
            detail = _detail(_read_error(error), key)
            status = error.code
            if status != 429 and status < 500:
                hint = (
                    f"check the key in ${settings.get('api_key_env')}"
                    if status in (401, 403)
                    else "check images.http settings and the prompt"
                )
                raise ProviderError(
                    f"HTTP {status} from {url}: {detail}", calls=attempt, hint=hint
                ) from None
            problem = f"HTTP {status}: {detail}"
            wait = _retry_after(error.headers, wait)
        except TimeoutError:
            problem = f"no answer within {settings['timeout']} s"
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, TimeoutError):
                problem = f"no answer within {settings['timeout']} s"
            else:
                problem = f"connection failed ({_redact(str(reason), key)})"
        except (OSError, http.client.HTTPException) as error:
            problem = f"connection failed ({_redact(str(error) or type(error).__name__, key)})"
        log.warning("attempt %d/%d failed: %s", attempt, attempts, problem)
        if attempt < attempts:
            sleep(wait)
    raise ProviderError(
        f"{url} failed after {attempts} attempts: {problem}",
        calls=attempts,
        hint="try again later, or set images.fallback: card",
    )


def _read_error(error) -> bytes:  # a urllib.error.HTTPError
    try:
        return error.read(64 * 1024)
    except OSError:
        return b""


def _image(body: bytes, settings: dict, key: str, calls: int) -> Image.Image:
    where = images_url(settings["base_url"])
    try:
        item = json.loads(body)["data"][0]
    except (ValueError, KeyError, IndexError, TypeError):
        raise ProviderError(f"answer from {where} is not an images response", calls=calls) from None
    if item.get("b64_json"):
        import base64
        import binascii

        try:
            raw = base64.b64decode(item["b64_json"], validate=True)
        except (binascii.Error, ValueError, TypeError):
            raise ProviderError(f"b64_json from {where} is not base64", calls=calls) from None
    elif item.get("url"):
        raw = _download(item["url"], settings, key, calls)
    else:
        raise ProviderError(f"answer from {where} has neither b64_json nor url", calls=calls)
    try:
        return decode_image(io.BytesIO(raw), where, tuple(settings.get("canvas", SIZE)))
    except SnakereelError as error:
        raise ProviderError(f"{where} sent {error.message}", calls=calls) from None


def _download(url: str, settings: dict, key: str, calls: int) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise ProviderError("image url is not http(s)", calls=calls)
    shown = _redact(url.split("?")[0], key)  # signed urls carry tokens in the query
    log.info("GET %s", shown)
    import urllib.error

    try:
        with _opener().open(url, timeout=settings["timeout"]) as response:
            return _read(response)
    except (OSError, urllib.error.URLError) as error:
        raise ProviderError(f"could not download {shown} ({error})", calls=calls) from None


# --- image sources: what the image rule's params carry, and how a job turns them into pixels


def image_spec(segment, images: dict, aspect: str = "9:16") -> dict:
    """Exactly what shapes a segment's image. It is the rule's params, so it is both the
    rerun trigger and (with the job script) the between-workflow cache key: the provider's
    retry, timeout, key and price settings are left out on purpose and read at run time."""
    code = {"code": code_version(), "canvas": list(canvas_size(aspect))}
    if segment.visual == "file":
        return {"source": "file", "file": segment.image, **code}
    if segment.visual == "http":
        http = images["http"]
        spec = {key: http[key] for key in ("base_url", "model", "size") if key in http}
        if http.get("quality"):
            spec["quality"] = http["quality"]
        prompt = full_prompt(segment.image_prompt or segment.text, http["style"])
        return {"source": "http", "prompt": prompt, **code, **spec}
    style = {key: images[key] for key in ("palette", "accent")}
    title = segment.title if images["titles"] else ""
    return {"source": "card", "title": title, "seed": segment.id, "style": style, **code}


def provider_policy(channel: str) -> dict:
    """The channel's images settings as the workflow passed them to this job."""
    try:
        return json.loads(os.environ[IMAGE_POLICY])[channel]
    except (KeyError, ValueError):
        raise SnakereelError(
            f"no image provider settings for channel '{channel}'", hint="run it with snakemake"
        ) from None


def produce(spec: dict, images: dict, files: list[str]) -> tuple[Image.Image, dict]:
    """The image for `spec`, and a record of how it was made (for the video's metadata).
    `images` is the channel's current images settings (provider policy and fallback)."""
    canvas = tuple(spec["canvas"])
    if spec["source"] == "file":
        image = decode_image(Path(files[0]), files[0], canvas)
        return image, {"source": "file", "api_calls": 0}
    if spec["source"] == "card":
        style = spec["style"]
        card = make_card(style["palette"], style["accent"], spec["title"], spec["seed"], canvas)
        return card, {"source": "card", "api_calls": 0}
    settings = {**images.get("http", {}), **{k: v for k, v in spec.items() if k != "prompt"}}
    record = {"source": "http", "model": spec["model"], "fallback": False}
    try:
        generated = generate(settings, spec["prompt"])
    except ProviderError as error:
        if images["fallback"] != "card":
            raise
        log.warning("falling back to a card: %s", error.one_line())
        card = make_card(images["palette"], images["accent"], "", spec["prompt"], canvas)
        record.update(source="card", fallback=True, api_calls=error.calls, error=error.message)
        return card, record
    record["api_calls"] = generated.calls
    return generated.image, record
