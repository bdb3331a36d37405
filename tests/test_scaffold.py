"""`snakereel new` scaffolds build as they are; `snakereel list` tells built from stale."""

import shutil
import subprocess
import sys

import pytest

from snakereel.errors import SnakereelError
from snakereel.project import load_channel
from snakereel.scaffold import new_channel, new_video

from .conftest import REPO, Workflow, ffprobe


def snakereel(cwd, *args):
    command = [sys.executable, "-m", "snakereel.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd)


def test_new_channel_and_video_validate(tmp_path):
    created = new_channel(tmp_path / "my_channel")
    assert [p.name for p in created] == ["channel.yaml", "first-video.yaml"]
    new_video(tmp_path / "my_channel", "day-2")
    channel = load_channel(tmp_path / "my_channel")
    assert sorted(channel.videos) == ["day-2", "first-video"] and not channel.errors
    assert [s.id for s in channel.videos["day-2"].segments] == ["hook", "point", "close"]


def test_new_refuses_to_overwrite_or_unsafe_ids(tmp_path):
    new_channel(tmp_path / "c")
    with pytest.raises(SnakereelError, match="already exists"):
        new_video(tmp_path / "c", "first-video")
    with pytest.raises(SnakereelError, match="not a safe video id"):
        new_video(tmp_path / "c", "../escape")
    done = snakereel(tmp_path, "new", "missing", "v1")
    assert done.returncode == 1 and "channel not found" in done.stderr
    assert "snakereel new missing" in done.stderr


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory):
    """A project made only by `snakereel new`, built with the draft preset."""
    root = tmp_path_factory.mktemp("scaffold")
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    for args in (["new", "fresh"], ["new", "fresh", "second"]):
        done = snakereel(root, *args)
        assert done.returncode == 0, done.stderr
    assert "`snakemake results/fresh/second.mp4 --config preset=draft`" in done.stdout
    flow = Workflow(root)
    flow.run("--config", "preset=draft")
    return flow


@pytest.mark.slow
def test_scaffold_builds_with_snakemake(scaffolded):
    for video in ("first-video", "second"):
        info = ffprobe(scaffolded.root / f"results/fresh/{video}.mp4")
        video_stream = next(s for s in info["streams"] if s["codec_type"] == "video")
        assert (video_stream["width"], video_stream["height"]) == (540, 960)
        assert float(info["format"]["duration"]) > 3


@pytest.mark.slow
def test_list_shows_built_then_stale_after_an_edit(scaffolded):
    draft = ["--config", "preset=draft"]
    done = snakereel(scaffolded.root, "list", *draft)
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()]
    assert ["fresh", "(Fresh)"] in rows
    assert ["second", "built", "3", "segment(s)"] in rows
    assert ["point", "built"] in rows and not any("stale" in r for r in rows)

    scaffolded.edit("channels/fresh/videos/second.yaml", "one or two", "two or three")
    done = snakereel(scaffolded.root, "list", *draft)
    lines = done.stdout.splitlines()
    second = lines.index(next(line for line in lines if line.split()[0] == "second"))
    assert lines[second].split()[1:4] == ["stale:", "point", "changed"]
    assert lines[second + 1].split() == ["hook", "built"]
    assert lines[second + 2].split() == ["point", "stale:", "params", "changed"]
    first = next(line for line in lines if line.split()[0] == "first-video")
    assert first.split()[1] == "built"

    # Built with another preset: every clip's params differ, so all is stale.
    done = snakereel(scaffolded.root, "list")
    assert "first-video              stale: params changed" in done.stdout


def test_verdicts_from_summary_rows(tmp_path):
    from snakereel.listing import group_rows
    from snakereel.project import load_project

    new_channel(tmp_path / "channels" / "c")
    for video in ("v", "w"):
        script = "segments: [{id: a, text: One.}, {id: b, text: Two.}, {id: d, text: Three.}]\n"
        (tmp_path / "channels" / "c" / "videos" / f"{video}.yaml").write_text(script)

    def row(path, status, plan):
        return {"output_file": path, "status": status, "plan": plan}

    groups = group_rows(
        [
            row("results/c/v.mp4", "ok", "update pending"),
            row("results/c/v/a/clip.mp4", "ok", "no update"),
            row("results/c/v/b/clip.mp4", "ok", "update pending"),
            row("results/c/v/b/speech.wav", "params changed", "update pending"),
            row("results/c/v/d/image.png", "ok", "no update"),
            row("results/c/v/d/clip.mp4", "missing", "update pending"),
            row("results/c/w/a/clip.mp4", "missing", "update pending"),
            row("results/c/music.wav", "ok", "no update"),
        ],
        load_project(tmp_path),
    )
    assert groups[("c", "v", "a")].verdict() == "built"
    assert groups[("c", "v", "b")].verdict() == "stale: params changed"
    assert groups[("c", "v", "d")].verdict() == "partly built"
    assert groups[("c", "w", "a")].verdict() == "not built"
    assert groups[("c", "v")].verdict() == "stale: inputs changed"
    assert ("c", "music.wav") not in groups
