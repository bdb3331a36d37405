"""The image rule in real snakemake runs against a real HTTP server on 127.0.0.1."""

import json

import pytest

from .imageserver import ImageServer, Reply

pytestmark = pytest.mark.slow

KEY = "sk-test-SECRET-0123456789"
SEGMENT = "results/momentum_mindset/day-01/hook"


def use_http(workflow, server, fallback="none"):
    channel = workflow.root / "channels/momentum_mindset/channel.yaml"
    channel.write_text(
        channel.read_text().replace(
            "  titles: true\n",
            "  titles: true\n"
            f"  fallback: {fallback}\n"
            "  http:\n"
            f"    base_url: {server.url}\n"
            "    model: img-1\n"
            "    api_key_env: TEST_IMAGES_KEY\n"
            "    style: film grain\n"
            "    retries: 1\n"
            "    backoff: 0.01\n",
        )
    )
    workflow.edit(
        "channels/momentum_mindset/videos/day-01.yaml",
        "  - id: hook\n",
        "  - id: hook\n    image_source: http\n    image_prompt: a tiny first step\n",
    )


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("TEST_IMAGES_KEY", KEY)
    monkeypatch.setenv("SNAKEMAKE_OUTPUT_CACHE", str(tmp_path / "cache"))


def test_http_image_job_writes_image_and_record(workflow, env):
    with ImageServer() as server:
        use_http(workflow, server)
        workflow.run(f"{SEGMENT}/image.png")
    assert len(server.requests) == 1
    assert server.requests[0]["body"]["prompt"] == "a tiny first step, film grain"
    record = json.loads((workflow.root / SEGMENT / "image.json").read_text())
    assert record == {"source": "http", "model": "img-1", "fallback": False, "api_calls": 1}
    log = (workflow.root / "logs/momentum_mindset/day-01/hook/image.log").read_text()
    assert "attempt 1/2" in log and KEY not in log


def test_failed_image_leaves_nothing_and_never_shows_the_key(workflow, env):
    with ImageServer([Reply(401, {"error": {"message": f"bad key {KEY}"}})]) as server:
        use_http(workflow, server)
        done = workflow.run(f"{SEGMENT}/image.png", check=False)
    assert done.returncode != 0 and len(server.requests) == 1
    folder = workflow.root / SEGMENT
    assert not folder.exists() or list(folder.iterdir()) == []
    log = (workflow.root / "logs/momentum_mindset/day-01/hook/image.log").read_text()
    assert "HTTP 401" in log and "TEST_IMAGES_KEY" in log
    assert KEY not in log + done.stdout + done.stderr


def test_fallback_card_is_recorded(workflow, env):
    with ImageServer([Reply(500)]) as server:
        use_http(workflow, server, fallback="card")
        workflow.run(f"{SEGMENT}/image.png")
    assert len(server.requests) == 2  # one retry, then the card
    record = json.loads((workflow.root / SEGMENT / "image.json").read_text())
    assert record["fallback"] is True and record["source"] == "card"
    assert record["api_calls"] == 2
