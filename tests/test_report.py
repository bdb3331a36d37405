"""`snakemake --report`: opened in real headless Chromium, the video plays in its page and
the contact sheet shows."""

import json
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
    for stage in ("tts", "image", "render", "mix"):
        assert f"<td>{stage}</td>" in html
    assert "preset: draft" in html


def show(browser, category: str, selector: str) -> str:
    """Click through the report as a person would: the category, then the entry's eye.
    Returns the `src` of the element that then shows the result."""
    browser.open((browser.report / "unzipped/report/report.html").as_uri())
    for _ in range(50):  # the report is a script-rendered page
        menu = browser.evaluate("[...document.querySelectorAll('a')].map(a => a.innerText)")
        if category in [m.strip() for m in menu]:
            break
        time.sleep(0.1)
    browser.evaluate(
        f"[...document.querySelectorAll('a')].find(a => a.innerText.trim() == '{category}').click()"
    )
    time.sleep(0.5)
    browser.evaluate("document.querySelector('a[iconname=eye]').click()")
    for _ in range(50):
        src = browser.evaluate(f"document.querySelector({json.dumps(selector)})?.src")
        if src:
            return src
        time.sleep(0.1)
    raise AssertionError(f"nothing shown under {category}")


def test_report_shows_the_contact_sheet(report, browser):
    browser.report = report
    src = show(browser, "Contact sheets", "img[src$='.contact.png']")
    assert src.endswith("/first-video.contact.png")
    size = browser.evaluate(
        "(i => [i.complete, i.naturalWidth, i.naturalHeight])"
        "(document.querySelector(\"img[src$='.contact.png']\"))"
    )
    assert size == [True, *sheet_size(3)]


def test_report_opens_and_the_video_plays(report, browser):
    browser.report = report
    src = show(browser, "Videos", "iframe")
    assert src.endswith("/index.html")

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


def test_stage_timings_come_from_the_metadata():
    from snakereel.reportpage import page_html, stage_timings

    metadata = {
        "stages": {
            "mix": {"jobs": 1, "seconds": 3.0},
            "tts": {"jobs": 2, "seconds": 1.0, "cache_hits": 1},
            "music": {"jobs": 0, "seconds": 0.0},
            "render": {"jobs": 2, "seconds": 3.75},
        }
    }
    timings = stage_timings(metadata)
    assert timings == [("tts", 2, 1.0), ("render", 2, 3.75), ("mix", 1, 3.0)]
    html = page_html("<Title & co>", timings, {"preset": "draft"})
    assert "&lt;Title &amp; co&gt;" in html and "<td>render</td><td>2</td><td>3.75</td>" in html
    assert "<th>7.75</th>" in html
