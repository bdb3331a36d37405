"""The stock client against Pexels- and Pixabay-compatible servers on 127.0.0.1: real HTTP
through `requests`, the documented JSON answers, small clips made by ffmpeg here."""

from __future__ import annotations

import io
import logging
from types import SimpleNamespace

import pytest
from PIL import Image

from snakereel.doctor import FAIL, OK, check_stock
from snakereel.errors import SnakereelError
from snakereel.stock import (
    Client,
    StockError,
    choose,
    choose_for_video,
    download,
    query_of,
    rate_limit_wait,
    settings_of,
)

from .stockserver import Reply, StockServer
from .test_footage import ffmpeg

KEY = "stock-SECRET-key-42"


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    made = {}
    for name, size in {"portrait": "540x960", "big": "1080x1920", "land": "640x360"}.items():
        path = folder / f"{name}.mp4"
        ffmpeg("-f", "lavfi", "-i", f"testsrc2=s={size}:r=24:d=1", "-pix_fmt", "yuv420p", str(path))
        made[name] = path.read_bytes()
    return made


def png(size=(600, 900)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def stock(server, provider="pexels", **extra) -> dict:
    base = server.url + ("/api" if provider == "pixabay" else "")
    return settings_of({"provider": provider, "base_url": base, "api_key_env": "TEST_STOCK_KEY",
                        "retries": 1, **extra})  # fmt: skip


def spec(provider="pexels", segments=("a", "b", "c")) -> dict:
    return {
        "provider": provider,
        "results": 15,
        "width": 540,
        "height": 960,
        "segments": [{"id": s, "query": "ocean waves"} for s in segments],
    }


def add_three(server, clips):
    server.add_clip(1, {"sd": (640, 360, clips["land"])})  # landscape: ranked last
    server.add_clip(2, {"hd": (1080, 1920, clips["big"]), "sd": (540, 960, clips["portrait"])})
    server.add_clip(3, {"hd": (1080, 1920, clips["big"])})


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("TEST_STOCK_KEY", KEY)


@pytest.mark.parametrize("provider", ["pexels", "pixabay"])
def test_whole_video_choice(clips, key, provider, caplog):
    caplog.set_level(logging.INFO)
    with StockServer(KEY) as server:
        add_three(server, clips)
        client = Client.from_settings(stock(server, provider))
        choices = choose(spec(provider), client, avoid=set())
    # portrait first, no clip twice, the smallest rendition covering 540x960
    assert [c.get("id") for c in choices.values()] == [
        f"{provider}:2",
        f"{provider}:3",
        f"{provider}:1",
    ]
    assert choices["a"]["width"] == 540 and choices["a"]["url"].endswith("2-sd.mp4")
    assert "already in this video" in choices["b"]["reason"]
    credit = choices["a"]["credit"]
    assert credit["author"] == "Ada Lens" and credit["provider"] == provider
    assert credit["url"].startswith("https://") and "License" in credit["licence"]
    if provider == "pexels":
        assert server.requests[0]["headers"]["Authorization"] == KEY
        assert server.requests[0]["query"]["orientation"] == "portrait"
    else:
        assert server.requests[0]["query"]["key"] == KEY
    assert KEY not in caplog.text and "[key]" in caplog.text or provider == "pexels"


def test_ledger_avoids_recent_videos_and_falls_back_to_photo_then_card(clips, key, tmp_path):
    ledger = tmp_path / "ledger.json"
    with StockServer(KEY) as server:
        server.add_clip(2, {"sd": (540, 960, clips["portrait"])})
        settings = stock(server)
        first = choose_for_video(spec(segments=("a",)), settings, ledger, "v1", tmp_path / "1.json")
        assert first["a"]["id"] == "pexels:2"
        again = choose_for_video(spec(segments=("a",)), settings, ledger, "v1", tmp_path / "1.json")
        assert again["a"]["id"] == "pexels:2"  # its own earlier choice is no reason to avoid
        second = choose_for_video(
            spec(segments=("a",)), settings, ledger, "v2", tmp_path / "2.json"
        )
        assert second["a"]["kind"] == "card" and "in a recent video" in second["a"]["reason"]
        server.add_photo(5, 600, 900, png())
        third = choose_for_video(spec(segments=("a",)), settings, ledger, "v3", tmp_path / "3.json")
        assert third["a"]["kind"] == "photo" and third["a"]["credit"]["author"] == "Pat Photo"
        out = tmp_path / "photo.media"
        download(third["a"], out)
        assert Image.open(out).size == (1080, 1920)


def test_missing_and_rejected_keys(monkeypatch):
    monkeypatch.delenv("TEST_STOCK_KEY", raising=False)
    with StockServer(KEY) as server:
        with pytest.raises(StockError, match="TEST_STOCK_KEY is not set"):
            Client.from_settings(stock(server))
        monkeypatch.setenv("TEST_STOCK_KEY", "wrong-" + KEY)
        client = Client.from_settings(stock(server, "pixabay"))
        with pytest.raises(StockError) as caught:
            choose(spec("pixabay"), client, set())
    line = caught.value.one_line()
    assert "rejected the key (HTTP 401)" in line and KEY not in line and "\n" not in line


def test_rate_limit_is_honoured(clips, key):
    waits = []
    with StockServer(KEY) as server:
        add_three(server, clips)
        server.replies = [
            Reply(429, {"error": "slow down"}, {"Retry-After": "3"}),
        ]
        client = Client.from_settings(stock(server), sleep=waits.append)
        choices = choose(spec(segments=("a",)), client, set())
        assert waits == [3.0] and choices["a"]["id"] == "pexels:2"
        far = {"X-Ratelimit-Reset": "4102444800"}  # a monthly reset, far away: no wait
        server.replies = [Reply(429, {}, far)]
        with pytest.raises(StockError, match="rate limited"):
            choose(spec(segments=("a",)), client, set())
    assert rate_limit_wait({"X-Ratelimit-Reset": "1700000010"}, now=1700000000.0) == 10
    assert rate_limit_wait({"X-RateLimit-Reset": "12"}) == 12  # Pixabay: seconds left


def test_cut_off_download_leaves_nothing(clips, key, tmp_path):
    with StockServer(KEY) as server:
        add_three(server, clips)
        choice = choose(spec(segments=("a",)), Client.from_settings(stock(server)), set())["a"]
        server.cut.add("/files/2-sd.mp4")
        out = tmp_path / "footage.media"
        with pytest.raises(SnakereelError, match="cut off"):
            download(choice, out)
        assert list(tmp_path.iterdir()) == []
        server.cut.clear()
        download(choice, out)
    assert out.read_bytes() == clips["portrait"]


def test_query_from_text():
    assert query_of("  ocean   waves ", "anything") == "ocean waves"
    assert query_of("", "They start too big, and the first bad day breaks the whole plan.") == (
        "start first breaks whole"
    )


def test_doctor_checks_a_configured_provider(clips, key, monkeypatch):
    with StockServer(KEY) as server:
        add_three(server, clips)
        settings = {"images": {"stock": {"provider": "pixabay", "base_url": server.url + "/api",
                                         "api_key_env": "TEST_STOCK_KEY"}}}  # fmt: skip
        channels = {"c": SimpleNamespace(id="c", settings=settings)}
        assert [c.status for c in check_stock(channels, online=True)] == [OK]
        monkeypatch.setenv("TEST_STOCK_KEY", "wrong")
        [rejected] = check_stock(channels, online=True)
        assert rejected.status == FAIL and "rejected the key" in rejected.detail
        monkeypatch.delenv("TEST_STOCK_KEY")
        [missing] = check_stock(channels)
        assert missing.status == FAIL and "TEST_STOCK_KEY is not set" in missing.detail
    assert KEY not in str([rejected, missing])
