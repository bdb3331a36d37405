"""`snakemake --report`: opened in real headless Chromium, the video plays in its page and
the contact sheet shows."""

import tempfile
import time
import zipfile

import pytest
from PIL import Image

from snakereel.contact import sheet_size
from snakereel.scaffold import new_channel

from .browser import Browser, chromium
from .conftest import REPO, Workflow

pytestmark = pytest.mark.slow
VIDEO = "results/show/first-video"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    (root / "config.yaml").write_text((REPO / "config.yaml").read_text())
    new_channel(root / "channels" / "show")
    flow = Workflow(root)
    flow.run("--config", "preset=draft")
    flow.run("--config", "preset=draft", "--report", "report.zip")
    with zipfile.ZipFile(root / "report.zip") as archive:
        archive.extractall(root / "unzipped")
    return root


@pytest.fixture(scope="module")
def browser():
    executable = chromium()
    if executable is None:
        pytest.fail("chromium not found: run `make tools` (or install Debian's chromium)")
    with tempfile.TemporaryDirectory() as profile:
        browser = Browser(profile, executable)
        try:
            yield browser
        finally:
            browser.close()


def test_contact_sheet_built_by_the_workflow(report):
    sheet = Image.open(report / f"{VIDEO}.contact.png")
    assert sheet.size == sheet_size(3)  # the scaffold's three segments
    page = report / f"{VIDEO}.page"
    assert {"contact.png", "index.html", "video.mp4"} <= {p.name for p in page.iterdir()}
    html = (page / "index.html").read_text()
    for stage in ("tts", "captions", "image", "render", "concat", "mix", "contact"):
        assert f"<td>{stage}</td>" in html
    assert "preset: draft" in html


def test_report_opens_and_the_video_plays(report, browser):
    browser.open((report / "unzipped/report/report.html").as_uri())
    time.sleep(1)
    menu = browser.evaluate("[...document.querySelectorAll('a')].map(a => a.innerText.trim())")
    assert {"Videos", "Contact sheets", "Statistics"} <= set(menu)
    # Click through as a person would: Videos, then the eye of the entry.
    browser.evaluate(
        "[...document.querySelectorAll('a')].find(a => a.innerText.trim() == 'Videos').click()"
    )
    time.sleep(0.5)
    browser.evaluate("document.querySelector('a[iconname=eye]').click()")
    src = None
    for _ in range(50):
        src = browser.evaluate("document.querySelector('iframe')?.src")
        if src:
            break
        time.sleep(0.1)
    assert src and src.endswith("/index.html")

    browser.open(src)
    video = browser.evaluate(
        """new Promise(resolve => {
          const v = document.querySelector('video');
          const done = () => resolve({ready: v.readyState, duration: v.duration,
            width: v.videoWidth, height: v.videoHeight, error: v.error && v.error.code,
            src: v.currentSrc, can: v.canPlayType('video/mp4')});
          if (v.readyState >= 1) done();
          v.addEventListener('loadedmetadata', done);
          v.addEventListener('error', done, true);
          setTimeout(done, 15000);
        })"""
    )
    assert video["error"] is None and video["src"].endswith("/video.mp4")
    assert video["ready"] >= 1 and video["duration"] > 3
    assert (video["width"], video["height"]) == (540, 960)
    sheet = browser.evaluate(
        "(i => [i.complete, i.naturalWidth, i.naturalHeight])(document.getElementById('contact'))"
    )
    assert sheet == [True, *sheet_size(3)]
