"""Stock footage from Pexels or Pixabay: one whole-video choice, then cached downloads.

The choice is made once per video, in script order, so no clip shows twice in a video and
the clips of the channel's recent videos (the ledger) are avoided. For each segment it
searches the segment's `search:` keywords (else key words of its text), prefers portrait
clips, takes the smallest rendition that still covers the preset's frame after the 9:16
crop (a draft never downloads 4K), and falls back to the next result, then a photo
search, then the card, recording why. Keys are read from the environment variable the
channel names; Pixabay's travels in the query string, so every URL shown is redacted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

from . import ledger
from .errors import SnakereelError
from .images import decode_image, save_png
from .io import atomic_path, write_json_atomic

log = logging.getLogger("snakereel.stock")

PROVIDERS = {
    "pexels": {
        "base_url": "https://api.pexels.com",
        "api_key_env": "PEXELS_API_KEY",
        "licence": "Pexels License (https://www.pexels.com/license/)",
    },
    "pixabay": {
        "base_url": "https://pixabay.com/api",
        "api_key_env": "PIXABAY_API_KEY",
        "licence": "Pixabay Content License (https://pixabay.com/service/license-summary/)",
    },
}
MAX_WAIT = 60.0  # longest rate-limit wait honoured; a later reset fails with its time
MAX_DOWNLOAD = 512 * 2**20
STOPWORDS = set(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "more",
        "most",
        "not",
        "of",
        "on",
        "one",
        "or",
        "our",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "up",
        "was",
        "we",
        "what",
        "when",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
        "even",
    ]  # noqa: SIM905
)


class StockError(SnakereelError):
    """The stock provider failed; `field` points at the channel's images.stock."""

    def __init__(self, message: str, *, hint: str = "", field: str = "images.stock"):
        super().__init__(message, field=field, hint=hint)


def settings_of(stock: Mapping) -> dict:
    """The channel's images.stock with the provider's defaults filled in."""
    defaults = PROVIDERS[stock["provider"]]
    merged = {"results": 15, "recent": 30, "timeout": 30, "retries": 2, **stock}
    merged.setdefault("base_url", defaults["base_url"])
    merged.setdefault("api_key_env", defaults["api_key_env"])
    return merged


def query_of(search: str, text: str, words: int = 4) -> str:
    """The segment's keywords, else its longest content words, in the order they appear."""
    if search.strip():
        return " ".join(search.split())
    found = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", text) if w.lower() not in STOPWORDS]
    longest = sorted(dict.fromkeys(w.lower() for w in found), key=len, reverse=True)[:words]
    return " ".join(w for w in dict.fromkeys(x.lower() for x in found) if w in longest)


def redact(text: str, key: str) -> str:
    return text.replace(key, "[key]") if key else text


@dataclass
class Client:
    """HTTP to one provider: the key, bounded retries, rate limits, redacted logs."""

    provider: str
    base_url: str
    key: str
    timeout: float = 30
    retries: int = 2
    sleep: Callable[[float], None] = time.sleep
    calls: int = 0

    @classmethod
    def from_settings(cls, stock: Mapping, **extra) -> Client:
        name = stock["api_key_env"]
        key = os.environ.get(name, "")
        if not key:
            raise StockError(
                f"environment variable {name} is not set",
                field="images.stock.api_key_env",
                hint=f"export {name}=<your {stock['provider']} key>",
            )
        return cls(
            stock["provider"],
            stock["base_url"].rstrip("/"),
            key,
            stock["timeout"],
            stock["retries"],
            **extra,
        )

    def get(self, path: str, params: dict) -> dict:
        url = self.base_url + path
        headers = {"Accept": "application/json"}
        if self.provider == "pexels":
            headers["Authorization"] = self.key
        else:
            params = {"key": self.key, **params}
        for attempt in range(1, self.retries + 2):
            self.calls += 1
            shown = redact(requests.Request("GET", url, params=params).prepare().url, self.key)
            log.info("GET %s attempt %d/%d", shown, attempt, self.retries + 1)
            try:
                answer = requests.get(url, params=params, headers=headers, timeout=self.timeout)
            except requests.RequestException as error:
                problem = f"connection failed ({redact(str(error), self.key)[:200]})"
                wait = 2.0**attempt
            else:
                if answer.status_code == 200:
                    try:
                        return answer.json()
                    except ValueError:
                        raise StockError(f"{self.provider} answered with no JSON") from None
                problem, wait = self._problem(answer)
            log.warning("attempt %d failed: %s", attempt, problem)
            if attempt <= self.retries and wait <= MAX_WAIT:
                self.sleep(wait)
            else:
                break
        raise StockError(f"{self.provider} failed: {problem}", hint="try again later")

    def _problem(self, answer) -> tuple[str, float]:
        status = answer.status_code
        if status in (401, 403):
            raise StockError(
                f"{self.provider} rejected the key (HTTP {status})",
                field="images.stock.api_key_env",
                hint="check the key in the variable images.stock.api_key_env names",
            )
        if status == 429:
            wait = rate_limit_wait(answer.headers)
            until = datetime.fromtimestamp(time.time() + wait, UTC)
            when = "" if wait <= MAX_WAIT else f" until {until:%Y-%m-%d %H:%M} UTC"
            return f"rate limited (HTTP 429){when}", wait
        if status >= 500:
            return f"HTTP {status}", 2.0
        raise StockError(f"{self.provider} answered HTTP {status}", hint="check images.stock")


def rate_limit_wait(headers: Mapping, now: float | None = None) -> float:
    """Seconds to wait after a 429: Retry-After, else the reset header (Pexels sends a Unix
    time, Pixabay seconds left), else 5 s."""
    retry = headers.get("Retry-After")
    if retry is not None:
        try:
            return max(0.0, float(retry))
        except ValueError:
            pass
    reset = headers.get("X-Ratelimit-Reset") or headers.get("X-RateLimit-Reset")
    try:
        value = float(reset)
    except (TypeError, ValueError):
        return 5.0
    now = time.time() if now is None else now
    return max(0.0, value - now) if value > 1e9 else value


# --- search answers -> candidates


@dataclass(frozen=True)
class Candidate:
    kind: str  # video | photo
    id: str  # provider:id
    url: str
    width: int
    height: int
    author: str
    page: str
    size: int = 0  # bytes, when the provider says

    @property
    def portrait(self) -> bool:
        return self.height > self.width


def covers(width: int, height: int, out_w: int, out_h: int) -> bool:
    """Does the 9:16 window cut from a width x height picture hold the output's pixels?"""
    if width * out_h > height * out_w:  # wider: the window is as tall as the picture
        return height >= out_h
    return width >= out_w


def smallest_covering(renditions: list[dict], out_w: int, out_h: int) -> dict | None:
    """The smallest rendition that covers the frame, else the largest there is."""
    usable = [r for r in renditions if r.get("url") and r.get("width") and r.get("height")]
    if not usable:
        return None
    area = lambda r: r["width"] * r["height"]  # noqa: E731
    good = [r for r in usable if covers(r["width"], r["height"], out_w, out_h)]
    return min(good, key=area) if good else max(usable, key=area)


def pexels_videos(data: dict, out_w: int, out_h: int) -> list[Candidate]:
    found = []
    for video in data.get("videos", []):
        files = [
            {"url": f.get("link"), "width": f.get("width"), "height": f.get("height")}
            for f in video.get("video_files", [])
            if f.get("file_type", "video/mp4") == "video/mp4"
        ]
        best = smallest_covering(files, out_w, out_h)
        if best:
            user = video.get("user", {}).get("name", "")
            found.append(
                Candidate(
                    "video",
                    f"pexels:{video['id']}",
                    best["url"],
                    best["width"],
                    best["height"],
                    user,
                    video.get("url", ""),
                )
            )
    return found


def pixabay_videos(data: dict, out_w: int, out_h: int) -> list[Candidate]:
    found = []
    for hit in data.get("hits", []):
        renditions = [dict(r) for r in hit.get("videos", {}).values() if isinstance(r, dict)]
        best = smallest_covering(renditions, out_w, out_h)
        if best:
            found.append(
                Candidate(
                    "video",
                    f"pixabay:{hit['id']}",
                    best["url"],
                    best["width"],
                    best["height"],
                    hit.get("user", ""),
                    hit.get("pageURL", ""),
                    best.get("size", 0),
                )
            )
    return found


def pexels_photos(data: dict) -> list[Candidate]:
    return [
        Candidate(
            "photo",
            f"pexels:photo:{p['id']}",
            p["src"].get("large2x") or p["src"]["original"],
            p.get("width", 0),
            p.get("height", 0),
            p.get("photographer", ""),
            p.get("url", ""),
        )
        for p in data.get("photos", [])
        if p.get("src")
    ]


def pixabay_photos(data: dict) -> list[Candidate]:
    return [
        Candidate(
            "photo",
            f"pixabay:photo:{h['id']}",
            h.get("largeImageURL") or h["webformatURL"],
            h.get("imageWidth", 0),
            h.get("imageHeight", 0),
            h.get("user", ""),
            h.get("pageURL", ""),
        )
        for h in data.get("hits", [])
        if h.get("largeImageURL") or h.get("webformatURL")
    ]


def search(client: Client, kind: str, query: str, results: int, out_w: int, out_h: int):
    """Candidates for `query`, portrait first (stable: the provider's ranking otherwise)."""
    if client.provider == "pexels":
        common = {"query": query, "orientation": "portrait", "per_page": results}
        if kind == "video":
            data = client.get("/videos/search", {**common, "size": _pexels_size(out_h)})
            found = pexels_videos(data, out_w, out_h)
        else:
            found = pexels_photos(client.get("/v1/search", common))
    else:
        common = {"q": query[:100], "per_page": max(3, results), "safesearch": "true"}
        if kind == "video":
            found = pixabay_videos(client.get("/videos/", common), out_w, out_h)
        else:
            params = {**common, "orientation": "vertical", "image_type": "photo"}
            found = pixabay_photos(client.get("/", params))
    return sorted(found, key=lambda c: not c.portrait)


def _pexels_size(height: int) -> str:
    """Pexels' minimum-size filter: medium is Full HD, small HD."""
    return "medium" if height > 1280 else "small"


# --- the whole-video choice


def choose(spec: dict, client: Client, avoid: set[str]) -> dict:
    """{segment id: choice} for the video's stock segments, in script order. A choice is
    {kind: video | photo | card, ...credit, reason}; `avoid` holds recent videos' clip ids."""
    out_w, out_h = spec["width"], spec["height"]
    used: set[str] = set()
    choices = {}
    for segment in spec["segments"]:
        query, tried = segment["query"], []
        choice = None
        for kind in ("video", "photo"):
            found = search(client, kind, query, spec["results"], out_w, out_h)
            for candidate in found:
                if candidate.id in used:
                    tried.append(f"{candidate.id}: already in this video")
                elif candidate.id in avoid:
                    tried.append(f"{candidate.id}: in a recent video")
                else:
                    choice = candidate
                    break
            if choice:
                break
            tried.append(f"no usable {kind} for '{query}'")
        choices[segment["id"]] = _record(choice, spec, query, tried)
        if choice is None:
            log.warning("segment '%s': no usable clip or photo for '%s': its card instead",
                        segment["id"], query)  # fmt: skip
        if choice:
            used.add(choice.id)
    return choices


def _record(choice: Candidate | None, spec: dict, query: str, tried: list[str]) -> dict:
    if choice is None:
        return {"kind": "card", "query": query, "reason": "; ".join(tried)}
    return {
        "kind": choice.kind,
        "id": choice.id,
        "url": choice.url,
        "width": choice.width,
        "height": choice.height,
        "size": choice.size,
        "query": query,
        "credit": credit(spec["provider"], choice),
        "reason": "; ".join(tried) if tried else "first result",
    }


def credit(provider: str, choice: Candidate) -> dict:
    return {
        "provider": provider,
        "author": choice.author,
        "url": choice.page,
        "licence": PROVIDERS[provider]["licence"],
    }


# --- downloads


def download_store() -> Path | None:
    """The shared download store: beside Snakemake's between-workflow cache, when on."""
    cache = os.environ.get("SNAKEMAKE_OUTPUT_CACHE")
    return Path(cache) / "stock" if cache else None


def store_path(store: Path, choice: dict) -> Path:
    """Where a downloaded clip is kept for every video and project: by its url's hash."""
    digest = hashlib.sha256(f"{choice['kind']} {choice['url']}".encode()).hexdigest()
    return Path(store) / f"{digest[:2]}/{digest}.media"


def download(choice: dict, out, *, store: Path | None = None, timeout: float = 60) -> bool:
    """The chosen file into `out`; True when it came from `store` (the shared download
    store) instead of the network. A file reaches the store and `out` only when every
    byte arrived (the Content-Length, or the size the provider announced); a card is an
    empty file."""
    kept = store_path(store, choice) if store and choice["kind"] != "card" else None
    with atomic_path(out) as tmp:
        if choice["kind"] == "card":
            Path(tmp).write_bytes(b"")
            return False
        if kept and kept.is_file():
            log.info("from the download store: %s", kept.name)
            _link_or_copy(kept, Path(tmp))
            return True
        _fetch(choice, Path(tmp), timeout)
        if kept:
            kept.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(kept) as partial:
                _link_or_copy(Path(tmp), Path(partial))
    return False


def _fetch(choice: dict, path: Path, timeout: float) -> None:
    url = choice["url"]
    shown = url.split("?")[0]  # signed urls carry tokens in the query
    log.info("GET %s", shown)
    try:
        with requests.get(url, stream=True, timeout=timeout) as answer:
            answer.raise_for_status()
            expected = int(answer.headers.get("Content-Length") or choice.get("size") or 0)
            got = _save(answer, path)
    except requests.exceptions.ChunkedEncodingError:  # fewer bytes than announced
        got, expected = path.stat().st_size, -1
    except requests.RequestException as error:
        raise SnakereelError(f"download of {shown} failed ({type(error).__name__})") from None
    if not got or (expected and got != expected):
        raise SnakereelError(
            f"download of {shown} was cut off after {got} bytes", hint="run the build again"
        )
    if choice["kind"] == "photo":
        _fit_photo(path, shown)


def _link_or_copy(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _save(answer, path: Path) -> int:
    got = 0
    with open(path, "wb") as handle:
        for chunk in answer.iter_content(1 << 16):
            got += len(chunk)
            if got > MAX_DOWNLOAD:
                raise SnakereelError(f"download larger than {MAX_DOWNLOAD // 2**20} MB")
            handle.write(chunk)
    return got


def _fit_photo(path: Path, where: str) -> None:
    """A stock photo becomes a 9:16 PNG like any still (the render's still builder)."""
    image = decode_image(path, where)
    save_png(image, path.with_suffix(".png"))
    path.with_suffix(".png").replace(path)


# --- jobs


def choose_for_video(spec: dict, stock: Mapping, ledger_path: Path, video: str, out) -> dict:
    """The footage_choice job: choices for every stock segment of `video`, written to
    `out`, then recorded in the channel's ledger (read before, so recent clips are avoided)."""
    settings = settings_of(stock)
    recent = ledger.read_section(ledger_path, "footage")
    others = [name for name in recent if name != video]
    others = others[-settings["recent"] :] if settings["recent"] else []
    avoid = {clip for name in others for clip in recent[name]}
    log.info("ledger: avoiding %d clips of %d recent videos", len(avoid), len(others))
    client = Client.from_settings(settings)
    choices = choose(spec, client, avoid)
    write_json_atomic(out, {"api_calls": client.calls, "segments": choices})
    ids = [choice["id"] for choice in choices.values() if choice.get("id")]

    def record(section: dict) -> None:
        section.pop(video, None)  # re-inserted last: the most recent video
        section[video] = ids

    ledger.update_section(ledger_path, "footage", record)
    return choices
