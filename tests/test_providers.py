"""The http image provider against a real HTTP server on 127.0.0.1."""

import base64
import io

import pytest
from PIL import Image

from snakereel.project import Segment
from snakereel.providers import ProviderError, generate, image_spec, produce
from snakereel.schema import validate

from .imageserver import ImageServer, Reply, png_bytes

KEY = "sk-test-SECRET-0123456789"


@pytest.fixture(autouse=True)
def api_key(monkeypatch):
    monkeypatch.setenv("TEST_IMAGES_KEY", KEY)


def settings(server, **overrides):
    http = {
        "base_url": server.url,
        "model": "img-1",
        "api_key_env": "TEST_IMAGES_KEY",
        "style": "soft light",
        "timeout": 2,
        "retries": 2,
        "backoff": 0.01,
        **overrides,
    }
    return validate({"title": "t", "images": {"http": http}}, "channel", "c.yaml")["images"]


def test_success_sends_prompt_model_size_and_key_and_fits_9_16():
    with ImageServer() as server:
        images = settings(server)
        result = generate(images["http"], "a desk at dawn, soft light")
    assert result.calls == 1 and len(server.requests) == 1
    request = server.requests[0]
    assert request["path"] == "/v1/images/generations"
    assert request["headers"]["Authorization"] == f"Bearer {KEY}"
    assert request["body"] == {
        "model": "img-1",
        "prompt": "a desk at dawn, soft light",
        "size": "1024x1792",
        "n": 1,
    }
    assert result.image.size == (1080, 1920)
    expected = Image.open(io.BytesIO(png_bytes(seed="a desk at dawn, soft light")))
    assert result.image.getpixel((540, 960)) == expected.getpixel((0, 0))


def test_429_then_success_waits_and_retries():
    replies = [Reply(429, {"error": {"message": "slow down"}}, {"Retry-After": "0.05"}), Reply()]
    waits = []
    with ImageServer(replies) as server:
        result = generate(settings(server)["http"], "p", sleep=waits.append)
    assert result.calls == 2 and len(server.requests) == 2
    assert waits == [0.05]  # the server's Retry-After wins over the backoff


def test_500_exhausts_the_retries_with_backoff():
    waits = []
    replies = [Reply(500, {"error": {"message": "boom"}})]
    with ImageServer(replies) as server, pytest.raises(ProviderError) as caught:
        generate(settings(server, retries=2)["http"], "p", sleep=waits.append)
    assert len(server.requests) == 3 and caught.value.calls == 3
    assert waits == [0.01, 0.02]
    assert "after 3 attempts: HTTP 500: boom" in caught.value.one_line()


def test_401_fails_at_once_and_never_shows_the_key():
    body = {"error": {"message": f"Incorrect API key provided: {KEY}"}}
    with ImageServer([Reply(401, body)]) as server, pytest.raises(ProviderError) as caught:
        generate(settings(server)["http"], "p")
    assert len(server.requests) == 1 and caught.value.calls == 1
    text = caught.value.one_line()
    assert "HTTP 401" in text and "TEST_IMAGES_KEY" in text
    assert KEY not in text and "[key]" in text


def test_slow_server_times_out_and_is_retried():
    with ImageServer([Reply(delay=1.0)]) as server, pytest.raises(ProviderError) as caught:
        generate(settings(server, timeout=0.2, retries=1)["http"], "p")
    assert len(server.requests) == 2 and caught.value.calls == 2
    assert "no answer within 0.2 s" in caught.value.one_line()


@pytest.mark.parametrize(
    "body, message",
    [
        ({"data": [{"b64_json": base64.b64encode(b"not an image").decode()}]}, "readable image"),
        ({"data": [{"b64_json": "%%%"}]}, "not base64"),
        ({"data": []}, "not an images response"),
        (b"<html>oops</html>", "not an images response"),
        ({"data": [{"b64_json": base64.b64encode(png_bytes((20, 30))).decode()}]}, "too small"),
    ],
)
def test_invalid_image_body_fails_without_retry(body, message):
    with ImageServer([Reply(200, body)]) as server, pytest.raises(ProviderError) as caught:
        generate(settings(server)["http"], "p")
    assert len(server.requests) == 1 and caught.value.calls == 1
    assert message in caught.value.one_line()


def test_url_answer_is_downloaded_without_the_key():
    with ImageServer([Reply(as_url=True)]) as server:
        result = generate(settings(server)["http"], "p")
    assert len(server.downloads) == 1 and result.image.size == (1080, 1920)
    assert "Authorization" not in server.downloads[0]


def test_missing_key_variable_is_named_and_nothing_is_sent(monkeypatch):
    monkeypatch.delenv("TEST_IMAGES_KEY")
    with (
        ImageServer() as server,
        pytest.raises(ProviderError, match="TEST_IMAGES_KEY is not set"),
    ):
        generate(settings(server)["http"], "p")
    assert server.requests == []


def test_connection_refused_is_retried_then_reported():
    with ImageServer() as server:
        images = settings(server, retries=1)
    with pytest.raises(ProviderError, match="after 2 attempts: connection failed"):
        generate(images["http"], "p")  # the server is closed now


def test_fallback_to_card_only_when_the_channel_says_so():
    segment = Segment(
        id="s", text="t", image_prompt="desk", visual="http", voice={}, captions={}, motion="static"
    )
    with ImageServer([Reply(503)]) as server:
        images = settings(server, retries=0)
        spec = image_spec(segment, images)
        with pytest.raises(ProviderError):
            produce(spec, images, [])
        image, record = produce(spec, {**images, "fallback": "card"}, [])
    assert image.size == (1080, 1920)
    assert record["fallback"] is True and record["source"] == "card"
    assert record["api_calls"] == 1 and "HTTP 503" in record["error"]


def test_spec_holds_what_shapes_the_image_not_the_policy():
    segment = Segment(
        id="s",
        text="the text",
        image_prompt="a desk",
        visual="http",
        voice={},
        captions={},
        motion="static",
    )
    with ImageServer() as server:
        base = image_spec(segment, settings(server))
        assert image_spec(segment, settings(server, retries=5, timeout=9)) == base
        assert image_spec(segment, settings(server, api_key_env="OTHER")) == base
        assert image_spec(segment, settings(server, model="img-2")) != base
        assert image_spec(segment, settings(server, style="noir")) != base
    assert base["prompt"] == "a desk, soft light"
    assert KEY not in str(base)


@pytest.mark.parametrize(
    "segment, channel, message",
    [
        ("image_source: http", "", "segments[0].image_source: the http image source needs"),
        ("text: x", "images: {source: http}\n", "channel.yaml: images.http: the http image"),
        ("image_source: file", "", "segments[0].image_source: image_source 'file' goes with"),
    ],
)
def test_image_source_errors_name_file_and_field(tmp_path, segment, channel, message):
    from snakereel.project import load_channel

    (tmp_path / "c" / "videos").mkdir(parents=True)
    (tmp_path / "c" / "channel.yaml").write_text(f"title: C\n{channel}")
    (tmp_path / "c" / "videos" / "v.yaml").write_text(f"segments:\n  - text: hi\n    {segment}\n")
    error = load_channel(tmp_path / "c").errors["v"]
    assert message in error.one_line()
