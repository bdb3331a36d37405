"""The smart cache in real snakemake runs: shared sentences and prompts are built once, in
any video or channel; a changed setting misses; the metadata counts it all."""

import json
import shutil

import pytest

from .conftest import REPO, Workflow
from .imageserver import ImageServer

pytestmark = pytest.mark.slow

CHANNEL = """\
title: {title}
voice: {{seed: 7{voice}}}
images:
  source: http
  http:
    base_url: {url}
    model: img-1
    api_key_env: TEST_IMAGES_KEY
    style: {style}
    price_per_image: 0.04
music: {{volume: 0.1}}
"""
INTRO = "  - {id: intro, text: Welcome back., image_prompt: sunrise over a city}\n"
OUTRO = "  - {id: outro, text: See you tomorrow., image_prompt: a closing door}\n"


def body(segment, text, prompt):
    return f"  - {{id: {segment}, text: {text}, image_prompt: {prompt}}}\n"


def write_channel(root, name, url, style="film grain", voice=""):
    folder = root / "channels" / name / "videos"
    folder.mkdir(parents=True, exist_ok=True)
    text = CHANNEL.format(title=name, url=url, style=style, voice=voice)
    (folder.parent / "channel.yaml").write_text(text)
    return folder


def logged(root, channel, video, segment, stage):
    """True when the job ran here (its log has lines), False when the cache answered."""
    return bool((root / "logs" / channel / video / segment / f"{stage}.log").read_text().strip())


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_IMAGES_KEY", "sk-test")
    monkeypatch.delenv("SNAKEMAKE_OUTPUT_CACHE", raising=False)  # the project's default
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    flow = Workflow(root)
    flow.edit("config.yaml", "preset: production", "preset: draft")
    return flow


def test_second_video_and_second_channel_reuse_shared_speech_and_images(project):
    root = project.root
    with ImageServer() as server:
        alpha = write_channel(root, "alpha", server.url)
        (alpha / "ep1.yaml").write_text(
            "segments:\n" + INTRO + body("tip", "Start small.", "one small step") + OUTRO
        )
        project.run()
        assert len(server.requests) == 3

        # A second video of the same channel and a video of another channel.
        (alpha / "ep2.yaml").write_text(
            "segments:\n" + INTRO + body("tip", "Never miss twice.", "a calendar") + OUTRO
        )
        beta = write_channel(root, "beta", server.url)
        (beta / "b1.yaml").write_text("segments:\n" + INTRO)
        project.run()
        prompts = [r["body"]["prompt"] for r in server.requests[3:]]
        assert prompts == ["a calendar, film grain"]  # the only new prompt

        for channel, video, segment in [
            ("alpha", "ep2", "intro"),
            ("alpha", "ep2", "outro"),
            ("beta", "b1", "intro"),
        ]:
            assert not logged(root, channel, video, segment, "tts")
            assert not logged(root, channel, video, segment, "image")
            wav = root / "results" / channel / video / segment / "speech.wav"
            assert wav.is_symlink() and ".snakereel-cache" in str(wav.resolve())
        assert logged(root, "alpha", "ep2", "tip", "tts")
        assert logged(root, "alpha", "ep2", "tip", "image")

        ep1 = json.loads((root / "results/alpha/ep1.json").read_text())
        ep2 = json.loads((root / "results/alpha/ep2.json").read_text())
        assert ep1["cache"] == {"jobs": 6, "hits": 0}
        assert ep1["images"]["api_calls"] == 3 and ep1["images"]["cost"] == 0.12
        assert ep2["cache"] == {"jobs": 6, "hits": 4}
        assert ep2["stages"]["tts"]["cache_hits"] == 2
        assert ep2["images"]["api_calls"] == 1 and ep2["images"]["cache_hits"] == 2
        assert ep2["images"]["cost"] == 0.04 and ep2["images"]["saved"] == 0.08
        assert ep2["engines"] == ["piper"] and ep2["encoder"] == "libx264"
        assert ep2["stages"]["render"]["seconds"] > 0

        # A changed setting misses: another pace for beta's voice, another image style.
        write_channel(root, "beta", server.url, style="noir", voice=", length_scale: 1.1")
        project.run("results/beta/b1.json")
        assert [r["body"]["prompt"] for r in server.requests[4:]] == ["sunrise over a city, noir"]
    assert logged(root, "beta", "b1", "intro", "tts")
    b1 = json.loads((root / "results/beta/b1.json").read_text())
    assert b1["cache"] == {"jobs": 2, "hits": 0}
