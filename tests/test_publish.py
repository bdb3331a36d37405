"""Publishing: the schedule, YouTube's limits, the plan, receipts, the login flow, and
`snakemake publish` end to end against the loopback YouTube server."""

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
import requests

from snakereel import publish
from snakereel.errors import SnakereelError
from snakereel.ledger import read_section, update_section
from snakereel.project import load_project
from tests.youtubeserver import YouTubeServer

SCHEDULE = {"per_day": 6, "start_hour": 6, "end_hour": 16, "timezone": "America/Mexico_City"}
NOW = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # 07:00 in Mexico City (UTC-6)


@pytest.fixture
def server():
    with YouTubeServer() as running:
        yield running


# -- the schedule


def test_day_slots_spread_from_start_to_end_hour():
    assert publish.day_slots(SCHEDULE) == [time(h) for h in (6, 8, 10, 12, 14, 16)]
    assert publish.day_slots({**SCHEDULE, "per_day": 1}) == [time(6)]
    assert publish.day_slots({**SCHEDULE, "per_day": 4, "end_hour": 7})[1] == time(6, 20)


def test_next_slots_fill_forward_from_the_latest_in_the_channels_zone():
    taken = []
    for _ in range(7):
        taken.append(publish.next_slot(SCHEDULE, taken, NOW))
    local = [slot.astimezone(publish.ZoneInfo("America/Mexico_City")) for slot in taken]
    # 07:00 now: 08:00 is the first slot an hour ahead; six a day, then the next morning
    assert [t.strftime("%d %H:%M") for t in local] == [
        "03 08:00", "03 10:00", "03 12:00", "03 14:00", "03 16:00", "04 06:00", "04 08:00",
    ]  # fmt: skip


def test_slots_continue_after_the_latest_scheduled_even_with_gaps_before_it():
    latest = datetime(2026, 12, 10, 18, 0, tzinfo=UTC)  # 12:00 local, a week ahead
    assert publish.next_slot(SCHEDULE, [latest], NOW) == datetime(2026, 12, 10, 20, 0, tzinfo=UTC)
    past = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    assert publish.next_slot(SCHEDULE, [past], NOW) == datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def test_reserved_slots_last_across_runs_and_a_video_keeps_its_own(tmp_path):
    ledger = tmp_path / "ledger" / "c.json"
    first = publish.reserve_slot(ledger, "a", SCHEDULE, NOW)
    second = publish.reserve_slot(ledger, "b", SCHEDULE, NOW)
    assert (first, second) == ("2026-12-03T14:00:00Z", "2026-12-03T16:00:00Z")
    assert publish.reserve_slot(ledger, "a", SCHEDULE, NOW) == first  # a retried upload
    later = datetime(2026, 12, 3, 15, 30, tzinfo=UTC)  # a's slot is now too close: a new one
    assert publish.reserve_slot(ledger, "a", SCHEDULE, later) == "2026-12-03T18:00:00Z"
    assert read_section(ledger, "schedule") == {"a": "2026-12-03T18:00:00Z", "b": second}


def test_a_schedule_is_checked(tmp_path):
    with pytest.raises(SnakereelError, match="unknown time zone 'Mars/Base'"):
        publish.check_schedule({**SCHEDULE, "timezone": "Mars/Base"}, tmp_path)
    with pytest.raises(SnakereelError, match="end_hour must come after start_hour"):
        publish.check_schedule({**SCHEDULE, "end_hour": 5}, tmp_path)


# -- YouTube's limits


def test_tags_are_counted_as_youtube_counts_them():
    assert publish.tags_length(["a", "bc"]) == 4  # a,bc
    assert publish.tags_length(["two words"]) == 11  # "two words"
    assert publish.tags_length([]) == 0


@pytest.mark.parametrize(
    ("title", "description", "tags", "message"),
    [
        ("x" * 101, "", [], "title: is 101 characters, at most 100"),
        ("", "", [], "title: must not be empty"),
        ("a <b>", "", [], "title: must not contain < or >"),
        ("ok", "é" * 2501, [], "description: is 5002 bytes"),
        ("ok", "", ["t" * 250, "u" * 250], "tags: take 501 characters"),
    ],
)
def test_limits_name_the_script_and_field(tmp_path, title, description, tags, message):
    with pytest.raises(SnakereelError, match=message) as caught:
        publish.check_words(title, description, tags, tmp_path / "v.yaml")
    assert "v.yaml" in caught.value.one_line()


def test_credits_join_the_description():
    video = publish.Video("c", "v", Path("v.yaml"), "T", (), {}, description="About it.")
    credits = [
        {"provider": "pexels", "author": "Ann Lee", "url": "https://example.org/1"},
        {"provider": "pixabay", "author": "", "url": "https://example.org/2"},
    ]
    assert publish.description_of(video, credits) == (
        "About it.\n\nFootage: Ann Lee (pexels) https://example.org/1;"
        " (pixabay) https://example.org/2"
    )
    assert publish.description_of(video) == "About it."


# -- the plan, on a project


def make_project(root: Path, server: YouTubeServer | None = None, **youtube) -> Path:
    channel = root / "channels" / "c"
    (channel / "videos").mkdir(parents=True)
    credentials = root / "home" / "c.json"
    settings = {
        "credentials": str(credentials),
        "tags": ["motivation"],
        "base_url": server.url if server else "http://127.0.0.1:9",
        "token_url": (server.url if server else "http://127.0.0.1:9") + "/token",
        "retries": 2,
        "backoff": 0.01,
        **youtube,
    }
    (channel / "channel.yaml").write_text(json.dumps({"title": "C", "youtube": settings}))
    for name, approved in (("one", True), ("two", True), ("draft", False)):
        script = {
            "title": f"Video {name}",
            "description": "Short and true.",
            "tags": ["habits"],
            "publish": approved,
            "segments": [{"id": "s1", "text": "Small steps add up."}],
        }
        (channel / "videos" / f"{name}.yaml").write_text(json.dumps(script))
    (root / "config.yaml").write_text("preset: production\n")
    if server:
        credentials.parent.mkdir()
        credentials.write_text(json.dumps(server.authorized_user()))
        credentials.chmod(0o600)
    return root


def test_plan_takes_approved_videos_without_a_receipt(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    project = load_project(root)
    receipt = Path(project.layout.at(root).receipt("c", "one"))
    monkeypatch.chdir(root)  # Snakemake's working directory is the project
    videos, notes = publish.plan(project)
    assert [v.id for v in videos] == ["one", "two"] and notes == []
    final = root / "results" / "c" / "one.mp4"
    final.parent.mkdir(parents=True)
    final.write_bytes(b"uploaded bytes")
    receipt.parent.mkdir(parents=True)
    record = {"sha256": publish.sha256_file(final), "size": final.stat().st_size}
    receipt.write_text(json.dumps(record))
    assert [v.id for v in publish.plan(project)[0]] == ["two"]
    final.write_bytes(b"a new render!!")  # same size, other bytes
    videos, notes = publish.plan(project)
    assert [v.id for v in videos] == ["two"]
    assert "c/one changed after its upload; not uploaded again" in notes[0]
    assert "snakereel youtube republish c one" in notes[0]


def test_plan_refuses_draft_renders_and_names_every_problem(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    monkeypatch.chdir(root)
    (root / "config.yaml").write_text("preset: draft\n")
    long_title = (root / "channels/c/videos/two.yaml").read_text().replace("Video two", "x" * 120)
    (root / "channels/c/videos/two.yaml").write_text(long_title)
    with pytest.raises(SnakereelError) as caught:
        publish.plan(load_project(root))
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert "two.yaml: title: is 120 characters" in lines[0]
    assert "preset: 'draft' renders are never uploaded" in lines[1]


def test_an_approved_video_needs_a_youtube_block(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    (root / "channels/c/channel.yaml").write_text('{"title": "C"}')
    monkeypatch.chdir(root)
    with pytest.raises(SnakereelError, match="channel.yaml: youtube: the channel has no youtube"):
        publish.plan(load_project(root))


def test_the_youtube_block_is_validated_with_defaults(tmp_path):
    root = make_project(tmp_path, schedule={"timezone": "America/Mexico_City"})
    settings = load_project(root).channels["c"].settings["youtube"]
    assert settings["privacy"] == "private" and settings["category_id"] == "22"
    assert settings["made_for_kids"] is False and settings["schedule"]["per_day"] == 6
    (root / "channels/c/channel.yaml").write_text(
        json.dumps({"title": "C", "youtube": {"credentials": "x", "privacy": "secret"}})
    )
    with pytest.raises(SnakereelError, match="youtube.privacy: 'secret' is not allowed"):
        load_project(root)


# -- the upload job, against the loopback server


def job_files(root: Path, preset: str = "production", credits=()) -> dict:
    final = root / "results" / "c" / "one.mp4"
    final.parent.mkdir(parents=True, exist_ok=True)
    final.write_bytes(os.urandom(300_000))
    metadata = root / "results" / "c" / "one.json"
    metadata.write_text(json.dumps({"preset": preset, "credits": list(credits)}))
    return {
        "video_file": final,
        "metadata_file": metadata,
        "receipt": root / "published" / "c" / "one.youtube.json",
        "ledger": root / "ledger" / "c.json",
    }


def spec_of(root: Path) -> dict:
    project = load_project(root)
    return json.loads(json.dumps(publish.upload_spec(project, project.video("c", "one"))))


def test_the_job_uploads_snippet_and_status_and_writes_the_receipt(tmp_path, server):
    root = make_project(tmp_path, server, schedule=SCHEDULE, category_id="27")
    credit = {"provider": "pexels", "author": "Ann", "url": "https://example.org/a"}
    files = job_files(root, credits=[credit])
    record = publish.publish_video(spec_of(root), **files, chunk_size=256 * 1024)
    sent = server.only_session().metadata
    assert sent["snippet"] == {
        "title": "Video one",
        "description": "Short and true.\n\nFootage: Ann (pexels) https://example.org/a",
        "tags": ["motivation", "habits"],
        "categoryId": "27",
        "defaultLanguage": "en",
        "defaultAudioLanguage": "en",
    }
    assert sent["status"] == {
        "privacyStatus": "private",
        "selfDeclaredMadeForKids": False,
        "publishAt": record["publish_at"],
    }
    assert bytes(server.only_session().data) == files["video_file"].read_bytes()
    saved = json.loads(files["receipt"].read_text())
    assert saved == record
    assert set(saved) == {
        "video_id", "url", "publish_at", "privacy", "sha256", "size", "uploaded_at",
    }  # fmt: skip
    assert saved["url"] == "https://www.youtube.com/watch?v=" + saved["video_id"]
    assert saved["sha256"] == publish.sha256_file(files["video_file"])
    assert read_section(files["ledger"], "schedule") == {"one": saved["publish_at"]}
    text = files["receipt"].read_text() + files["ledger"].read_text()
    assert not any(s in text for s in ("test-secret", "refresh-1", "access-", "upload_id"))


def test_unscheduled_uploads_use_the_channels_privacy(tmp_path, server):
    root = make_project(tmp_path, server, privacy="unlisted", made_for_kids=True)
    record = publish.publish_video(spec_of(root), **job_files(root))
    status = server.only_session().metadata["status"]
    assert status == {"privacyStatus": "unlisted", "selfDeclaredMadeForKids": True}
    assert record["publish_at"] == ""


def test_the_job_refuses_a_draft_render(tmp_path, server):
    root = make_project(tmp_path, server)
    with pytest.raises(SnakereelError, match="a 'draft' render is never uploaded"):
        publish.publish_video(spec_of(root), **job_files(root, preset="draft"))
    assert server.requests == []


def test_quota_stops_the_channels_next_uploads_without_asking_again(tmp_path, server):
    root = make_project(tmp_path, server)
    files = job_files(root)
    server.script("init", "quota")
    with pytest.raises(SnakereelError, match="quota exceeded.*midnight Pacific"):
        publish.publish_video(spec_of(root), **files)
    asked = len(server.requests)
    with pytest.raises(SnakereelError, match="quota exceeded.*midnight Pacific"):
        publish.publish_video(spec_of(root), **files)
    assert len(server.requests) == asked and not files["receipt"].exists()


def test_a_revoked_login_ends_with_one_line(tmp_path, server):
    root = make_project(tmp_path, server)
    server.refresh_tokens.clear()
    with pytest.raises(SnakereelError) as caught:
        publish.publish_video(spec_of(root), **job_files(root))
    assert "log in again: snakereel youtube login c" in caught.value.one_line()


def test_republish_sets_the_receipt_aside_and_frees_the_slot(tmp_path, server, capsys):
    root = make_project(tmp_path, server, schedule=SCHEDULE)
    files = job_files(root)
    publish.publish_video(spec_of(root), **files)
    layout = load_project(root).layout.at(root)
    assert publish.republish(layout, "c", "one") == 0
    assert not files["receipt"].exists()
    assert len(list(files["receipt"].parent.glob("one.youtube.replaced-*.json"))) == 1
    assert read_section(files["ledger"], "schedule") == {}


# -- `snakereel youtube login`


def test_login_runs_the_installed_app_flow_and_writes_a_private_file(tmp_path, server):
    root = make_project(tmp_path, server)
    target = root / "home" / "c.json"
    target.unlink()
    secrets = tmp_path / "client_secret.json"
    secrets.write_text(json.dumps(server.client_secrets()))
    env = {
        **os.environ,
        "OAUTHLIB_INSECURE_TRANSPORT": "1",  # the loopback server speaks plain HTTP
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    command = [sys.executable, "-m", "snakereel.cli", "youtube", "login", "c"]
    command += ["--client-secrets", str(secrets), "--no-browser", "--dir", str(root)]
    login = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    try:
        url = next(word for line in login.stdout for word in line.split() if "://" in word)
        assert url.startswith(server.url + "/o/oauth2/auth?")
        page = requests.get(url, timeout=20)  # the browser: consent, then the redirect
        assert page.status_code == 200
        out, _ = login.communicate(timeout=30)
    finally:
        login.kill()
    assert login.returncode == 0, out
    assert "credentials written" in out and "test-secret" not in out
    assert target.stat().st_mode & 0o777 == 0o600
    saved = json.loads(target.read_text())
    assert saved["refresh_token"] == "refresh-login" and "token" not in saved
    assert server.grants == ["authorization_code"]


# -- `snakemake publish`, end to end


@pytest.mark.slow
def test_snakemake_publish_uploads_approved_videos_once(workflow, server):
    root = workflow.root
    shutil.rmtree(root / "channels")
    make_project(root, server, schedule=SCHEDULE)
    (root / "config.yaml").write_text("preset: production\n")
    done = workflow.run("publish", "--config", "preset=draft", check=False)
    assert done.returncode != 0
    assert "preset: 'draft' renders are never uploaded" in done.stderr
    workflow.run()  # building never uploads
    assert server.requests == [] and not (root / "published").exists()
    server.script("init", "quota")
    done = workflow.run("publish", check=False)
    assert done.returncode != 0 and "Trying to restart" not in done.stderr  # retries: 0
    assert "quota exceeded (quotaExceeded): retry `snakemake publish` after midnight" in done.stderr
    assert not (root / "published" / "c" / "one.youtube.json").exists()
    update_section(root / "ledger" / "c.json", "youtube", lambda section: section.clear())
    workflow.run("publish")  # as after midnight Pacific time
    receipts = sorted((root / "published" / "c").glob("*.youtube.json"))
    assert [p.name for p in receipts] == ["one.youtube.json", "two.youtube.json"]
    assert all(p.stat().st_mode & 0o222 == 0 for p in receipts)  # protected
    assert len(server.sessions) == 2
    slots = [json.loads(p.read_text())["publish_at"] for p in receipts]
    assert len(set(slots)) == 2
    log = (root / "logs" / "c" / "one" / "youtube.log").read_text()
    assert "uploaded c/one" in log and "access-" not in log
    assert (root / "benchmarks" / "c" / "one" / "youtube.tsv").is_file()
    workflow.run("publish")  # a rerun uploads nothing
    assert len(server.sessions) == 2
    workflow.edit("channels/c/videos/one.yaml", "Small steps", "Tiny steps")
    workflow.run()  # the video is rebuilt ...
    done = workflow.run("publish")
    assert len(server.sessions) == 2  # ... and reported, not uploaded again
    assert "c/one changed after its upload" in done.stderr


# -- `snakereel doctor`


def test_doctor_checks_a_publishing_channels_credentials(tmp_path, server):
    from snakereel.doctor import FAIL, OK, check_youtube

    root = make_project(tmp_path, server)
    channels = load_project(root).channels
    [offline] = check_youtube(channels, online=False)
    assert offline.status == OK and "mode 600" in offline.detail and server.grants == []
    [online] = check_youtube(channels, online=True)
    assert online.status == OK and "token refreshed" in online.detail
    server.refresh_tokens.clear()
    [revoked] = check_youtube(channels, online=True)
    assert revoked.status == FAIL and "invalid_grant" in revoked.detail
    assert "youtube login" in revoked.hint
    (root / "home" / "c.json").chmod(0o640)
    [shared] = check_youtube(channels, online=False)
    assert shared.status == FAIL and "readable by others" in shared.detail
    assert shared.hint.startswith("chmod 600")


def test_list_shows_published_and_approved_videos(tmp_path):
    from snakereel.listing import publishing

    root = make_project(tmp_path)
    receipt = root / "published" / "c" / "one.youtube.json"
    receipt.parent.mkdir(parents=True)
    receipt.write_text(json.dumps({"url": "https://www.youtube.com/watch?v=abc"}))
    assert publishing(load_project(root), root) == {
        ("c", "one"): "published https://www.youtube.com/watch?v=abc",
        ("c", "two"): "approved, not uploaded",
    }
