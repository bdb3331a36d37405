"""Own clips through the real workflow: the render picks the footage builder, stills keep
their specs, and a broken clip fails its video alone with one line."""

import json

import pytest

from .conftest import ffprobe
from .stockserver import StockServer
from .test_footage import make_clip
from .test_stock import (
    add_three,
    clips,  # noqa: F401  (a fixture)
    png,
)

pytestmark = pytest.mark.slow

SCRIPT = "channels/momentum_mindset/videos/day-01.yaml"
HOOK = "results/momentum_mindset/day-01/hook"
DRAFT = ("--config", "preset=draft")


def use_clip(workflow, name="clip.mp4", extra=""):
    assets = workflow.root / "channels/momentum_mindset/assets"
    assets.mkdir(exist_ok=True)
    workflow.edit(SCRIPT, "  - id: hook\n", f"  - id: hook\n    video: assets/{name}\n{extra}")
    return assets


def test_own_clip_renders_and_focus_reruns_only_its_segment(workflow):
    assets = use_clip(workflow)
    make_clip(assets / "clip.mp4", 640, 360, seconds=1)
    workflow.run(f"{HOOK}/clip.mp4", *DRAFT)
    stream = ffprobe(workflow.root / HOOK / "clip.mp4")["streams"][0]
    assert (stream["width"], stream["height"]) == (540, 960)
    assert not (workflow.root / HOOK / "image.png").exists()  # no still is made for it
    workflow.edit(
        SCRIPT, "    video: assets/clip.mp4\n", "    video: assets/clip.mp4\n    focus: {x: 0.2}\n"
    )
    planned = workflow.planned_outputs(f"{HOOK}/clip.mp4", *DRAFT)
    assert planned == {f"{HOOK}/clip.mp4", f"{HOOK}/captions.ass"}


def test_broken_clip_fails_its_video_with_one_line(workflow):
    assets = use_clip(workflow, "broken.mp4")
    (assets / "broken.mp4").write_bytes(b"\x00" * 4096)
    other = "results/momentum_mindset/day-02/hook/clip.mp4"
    done = workflow.run(f"{HOOK}/clip.mp4", other, "--keep-going", *DRAFT, check=False)
    assert done.returncode != 0 and (workflow.root / other).exists()  # the rest goes on
    line = f"{SCRIPT}: segment 'hook': "
    assert line in done.stderr and "broken.mp4: not a readable video file" in done.stderr


KEY = "stock-SECRET-key-42"


def use_stock(workflow, server):
    channel = workflow.root / "channels/momentum_mindset/channel.yaml"
    channel.write_text(
        channel.read_text().replace(
            "  titles: true\n",
            "  titles: true\n  source: stock\n  stock:\n    provider: pexels\n"
            f"    base_url: {server.url}\n    api_key_env: TEST_STOCK_KEY\n    retries: 0\n",
        )
    )


@pytest.fixture
def stock_env(monkeypatch, tmp_path):
    monkeypatch.setenv("TEST_STOCK_KEY", KEY)
    monkeypatch.setenv("SNAKEMAKE_OUTPUT_CACHE", str(tmp_path / "cache"))


def test_stock_video_end_to_end(workflow, stock_env, clips):  # noqa: F811
    video = "results/momentum_mindset/day-01"
    with StockServer(KEY) as server:
        add_three(server, clips)
        server.add_photo(5, 600, 900, png())
        use_stock(workflow, server)
        workflow.run(f"{video}.mp4", f"{video}.page", *DRAFT)
        assert len(server.downloads) == 4  # three clips and a photo; two cards
        metadata = json.loads((workflow.root / f"{video}.json").read_text())
        kinds = [s["footage"]["kind"] for s in metadata["segments"]]
        assert kinds == ["video", "video", "video", "photo", "card", "card"]
        assert [c["segment"] for c in metadata["credits"]] == [
            "hook",
            "two-minutes",
            "identity",
            "chain",
        ]
        assert metadata["credits_line"] == "Footage: Ada Lens (Pexels), Pat Photo (Pexels)"
        page = (workflow.root / f"{video}.page/index.html").read_text()
        assert "Ada Lens" in page and "Pexels License" in page
        stream = ffprobe(workflow.root / f"{video}.mp4")["streams"][0]
        assert (stream["width"], stream["height"]) == (540, 960)
        # downloads come from the shared store the next time
        media = [f"{video}/{s}/footage.media" for s in ("hook", "two-minutes", "identity")]
        for target in media:
            (workflow.root / target).unlink()
        workflow.run(*media, *DRAFT)
        assert len(server.downloads) == 4
    everything = "".join(p.read_text() for p in (workflow.root / "logs").rglob("*.log"))
    assert KEY not in everything + json.dumps(metadata)


def test_missing_stock_key_is_one_line(workflow, stock_env, monkeypatch):
    monkeypatch.delenv("TEST_STOCK_KEY")
    with StockServer(KEY) as server:
        use_stock(workflow, server)
        done = workflow.run("results/momentum_mindset/day-01.footage.json", *DRAFT, check=False)
    assert done.returncode != 0
    assert (
        "channels/momentum_mindset/channel.yaml: images.stock.api_key_env: "
        "environment variable TEST_STOCK_KEY is not set"
    ) in done.stderr
