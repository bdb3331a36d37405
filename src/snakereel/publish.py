"""Publishing to YouTube: what to upload, with which words, in which slot, and the receipt.

- **What**: videos whose script says `publish: true`, of channels with a `youtube:` block,
  rendered with the production preset, that have no receipt yet. A video whose file
  changed after its upload is reported and left alone; `snakereel youtube republish`
  sets its receipt aside so the next `snakemake publish` uploads the new version.
- **Words**: title (<= 100 characters), description (<= 5,000 bytes, plus the footage
  credits from the video's metadata) and tags (the channel's, then the script's; <= 500
  characters as YouTube counts them), checked when the run is planned and again in the job.
- **When**: with `youtube.schedule`, each upload takes the channel's next free slot after
  its latest scheduled one (per_day slots from start_hour to end_hour in the channel's time
  zone), recorded in the ledger's `schedule` section so later runs continue from it.
- **Receipt**: `published/<channel>/<video>.youtube.json` {video_id, url, publish_at,
  sha256, size, uploaded_at}; nothing secret is ever in it.

The `youtube` command (`login`, `republish`) lives here too.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import SnakereelError
from .io import write_json_atomic
from .ledger import read_section, update_section
from .project import Project, Video, load_project, thaw

log = logging.getLogger("snakereel.publish")

HELP = "YouTube: log a channel in once (OAuth), or set a receipt aside to upload a new version"
TITLE_MAX = 100  # characters
DESCRIPTION_MAX = 5000  # bytes of UTF-8
TAGS_MAX = 500  # characters, counted as YouTube counts them (see tags_length)
MIN_LEAD = timedelta(hours=1)  # a slot closer than this leaves YouTube no time to process
WATCH_URL = "https://www.youtube.com/watch?v="


# -- the words


def tags_of(video: Video, settings: Mapping) -> list[str]:
    """The channel's tags, then the script's, each once."""
    return list(dict.fromkeys([*settings.get("tags", ()), *video.tags]))


def tags_length(tags: Iterable[str]) -> int:
    """YouTube's count: commas between tags count, and a tag with a space counts as if
    quoted (two more characters)."""
    tags = list(tags)
    return sum(len(tag) + (2 if " " in tag else 0) for tag in tags) + max(len(tags) - 1, 0)


def credits_text(credits: Iterable[Mapping]) -> str:
    """One line per footage credit, as the metadata lists them ({provider, author, url})."""
    lines = []
    for item in credits:
        who = " ".join(filter(None, [item.get("author", ""), f"({item.get('provider', '')})"]))
        lines.append(" ".join(filter(None, [who.replace("()", "").strip(), item.get("url", "")])))
    return "Footage: " + "; ".join(lines) if lines else ""


def description_of(video: Video, credits: Iterable[Mapping] = ()) -> str:
    return "\n\n".join(filter(None, [video.description.strip(), credits_text(credits)]))


def check_words(title: str, description: str, tags: list[str], where: Path) -> None:
    """YouTube's limits, as one line naming the script and the field."""
    problems = [
        ("title", not title.strip(), "must not be empty"),
        ("title", len(title) > TITLE_MAX, f"is {len(title)} characters, at most {TITLE_MAX}"),
        ("title", "<" in title or ">" in title, "must not contain < or >"),
        (
            "description",
            len(description.encode()) > DESCRIPTION_MAX,
            f"is {len(description.encode())} bytes with the footage credits,"
            f" at most {DESCRIPTION_MAX}",
        ),
        ("description", "<" in description or ">" in description, "must not contain < or >"),
        (
            "tags",
            tags_length(tags) > TAGS_MAX,
            f"take {tags_length(tags)} characters with the channel's, at most {TAGS_MAX}"
            " (commas count; a tag with a space counts two more)",
        ),
    ]
    for field, bad, message in problems:
        if bad:
            raise SnakereelError(message, file=where, field=field, hint="for the YouTube upload")


def resource(video: Video, settings: Mapping, credits=(), publish_at: str = "") -> dict:
    """The video resource sent with `videos.insert` (parts snippet and status)."""
    snippet = {
        "title": video.title,
        "description": description_of(video, credits),
        "tags": tags_of(video, settings),
        "categoryId": settings["category_id"],
        "defaultLanguage": settings["language"],
        "defaultAudioLanguage": settings["language"],
    }
    status = {
        "privacyStatus": "private" if publish_at else settings["privacy"],
        "selfDeclaredMadeForKids": settings["made_for_kids"],
    }
    if publish_at:
        status["publishAt"] = publish_at
    return {"snippet": snippet, "status": status}


# -- the schedule


def check_schedule(schedule: Mapping, where: Path) -> ZoneInfo:
    field = "youtube.schedule"
    try:
        zone = ZoneInfo(schedule["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise SnakereelError(
            f"unknown time zone {schedule['timezone']!r}",
            file=where,
            field=f"{field}.timezone",
            hint="use an IANA name such as America/Mexico_City",
        ) from None
    if schedule["end_hour"] < schedule["start_hour"] or (
        schedule["per_day"] > 1 and schedule["end_hour"] == schedule["start_hour"]
    ):
        raise SnakereelError(
            "end_hour must come after start_hour", file=where, field=f"{field}.end_hour"
        )
    return zone


def day_slots(schedule: Mapping) -> list[time]:
    """per_day local times, evenly from start_hour to end_hour (both included)."""
    start, end, count = schedule["start_hour"] * 60, schedule["end_hour"] * 60, schedule["per_day"]
    step = (end - start) / (count - 1) if count > 1 else 0
    return [time(*divmod(round(start + i * step), 60)) for i in range(count)]


def next_slot(schedule: Mapping, taken: Iterable[datetime], now: datetime) -> datetime:
    """The first slot after the latest taken one and at least MIN_LEAD from now."""
    zone = ZoneInfo(schedule["timezone"])
    taken = set(taken)
    earliest = max([now + MIN_LEAD, *(t + timedelta(seconds=1) for t in taken)])
    day = earliest.astimezone(zone).date()
    while True:
        for at in day_slots(schedule):
            slot = datetime.combine(day, at, zone).astimezone(UTC)
            if slot >= earliest and slot not in taken:
                return slot
        day += timedelta(days=1)


def reserve_slot(ledger: Path, video: str, schedule: Mapping, now: datetime) -> str:
    """The video's publish time, taken in the ledger under its lock. A slot an earlier,
    unfinished run reserved is kept while it is still ahead (its saved session names it)."""
    chosen = {}

    def take(section: dict) -> None:
        mine = section.get(video)
        if mine and parse_time(mine) >= now + MIN_LEAD:
            chosen["at"] = mine
            return
        others = [parse_time(at) for name, at in section.items() if name != video]
        section[video] = chosen["at"] = format_time(next_slot(schedule, others, now))

    update_section(ledger, "schedule", take)
    return chosen["at"]


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- what to upload (planned when `snakemake publish` builds its DAG)


def sha256_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def changed_since_upload(receipt: Path, video_file: Path) -> bool:
    """The final video differs from the bytes the receipt records (size, then hash)."""
    if not video_file.is_file():
        return False
    record = json.loads(receipt.read_text(encoding="utf-8"))
    if video_file.stat().st_size != record.get("size"):
        return True
    return sha256_file(video_file) != record.get("sha256")


def plan(project: Project) -> tuple[list[Video], list[str]]:
    """(videos to upload, lines to report). Problems of approved videos raise, all at once
    (one line each), before anything is uploaded."""
    layout, todo, notes, errors = project.layout, [], [], []
    for video in approved(project):
        try:
            settings = youtube_settings(project, video.channel)
            check_words(video.title, description_of(video), tags_of(video, settings), video.path)
        except SnakereelError as error:
            errors.append(error.one_line())
            continue
        receipt = Path(layout.receipt(video.channel, video.id))
        if not receipt.is_file():
            todo.append(video)
        elif changed_since_upload(receipt, Path(layout.video(".mp4", video.channel, video.id))):
            notes.append(
                f"{receipt}: {video.channel}/{video.id} changed after its upload; not uploaded"
                f" again (hint: `snakereel youtube republish {video.channel} {video.id}`,"
                " then `snakemake publish`, uploads the new version)"
            )
    if todo and project.preset.name != "production":
        errors.append(
            f"config.yaml: preset: '{project.preset.name}' renders are never uploaded"
            " (hint: `snakemake publish` with preset: production)"
        )
    if errors:
        raise SnakereelError("\n".join(errors))
    return todo, notes


def approved(project: Project) -> list[Video]:
    return [video for video in project.valid_videos() if video.publish]


def youtube_settings(project: Project, channel: str) -> dict:
    found = project.channels[channel]
    settings = found.settings.get("youtube")
    if settings is None:
        raise SnakereelError(
            "the channel has no youtube: block (a video of it is approved to publish)",
            file=found.path,
            field="youtube",
            hint="see docs/publishing.md",
        )
    if "schedule" in settings:
        check_schedule(settings["schedule"], found.path)
    return thaw(settings)


def upload_spec(project: Project, video: Video) -> dict:
    """What the upload job needs; the credentials file is named, never read, here."""
    channel = project.channels[video.channel]
    return {
        "channel": video.channel,
        "video": video.id,
        "script": str(video.path),
        "channel_file": str(channel.path),
        "title": video.title,
        "description": video.description,
        "tags": list(video.tags),
        "youtube": youtube_settings(project, video.channel),
    }


# -- the upload job


def publish_video(
    spec: dict,
    video_file: Path,
    metadata_file: Path,
    receipt: Path,
    ledger: Path,
    chunk_size: int = 8 * 1024 * 1024,
) -> dict:
    """Upload one video and write its receipt; returns the receipt."""
    from . import youtube  # lazy: Google's libraries stay out of every workflow's start-up

    settings, channel = spec["youtube"], spec["channel"]
    video, credits = _checked(spec, Path(metadata_file), Path(video_file))
    paused = read_section(ledger, "youtube")
    if paused and parse_time(paused["until"]) > datetime.now(UTC):
        raise youtube.QuotaExceeded(paused["reason"], parse_time(paused["until"]))
    path = youtube.credentials_file(settings["credentials"])
    info = youtube.check_credentials_file(path, spec["channel_file"], channel)
    credentials = youtube.load_credentials(info, settings["token_url"])
    youtube.refresh(credentials, path, channel)
    publish_at = ""
    if "schedule" in settings:
        publish_at = reserve_slot(ledger, video.id, settings["schedule"], datetime.now(UTC))
        log.info("slot: %s", publish_at)
    body = resource(video, settings, credits, publish_at)
    uploaded = {"sha256": sha256_file(video_file), "size": Path(video_file).stat().st_size}
    target = youtube.Target(
        settings["base_url"],
        session_file(receipt),
        retries=settings["retries"],
        backoff=settings["backoff"],
        chunk_size=chunk_size,
        credentials_file=path,
        channel=channel,
    )
    try:
        answer = youtube.upload(credentials, Path(video_file), body, target)
    except youtube.QuotaExceeded as error:  # the channel's next jobs stop without asking
        pause = {"until": format_time(error.until), "reason": error.message}
        update_section(ledger, "youtube", lambda section: section.update(pause))
        raise
    record = {
        "video_id": answer["id"],
        "url": WATCH_URL + answer["id"],
        "publish_at": publish_at,
        "privacy": body["status"]["privacyStatus"],
        **uploaded,
        "uploaded_at": format_time(datetime.now(UTC)),
    }
    write_json_atomic(receipt, record)
    update_section(ledger, "youtube", lambda section: section.clear())
    log.info("uploaded %s/%s as %s", channel, video.id, record["url"])
    return record


def _checked(spec: dict, metadata_file: Path, video_file: Path) -> tuple[Video, list]:
    """The video (a production render) and its credits, with the words within limits."""
    metadata = json.loads(metadata_file.read_text(encoding="utf-8"))
    if metadata.get("preset") != "production":
        raise SnakereelError(
            f"a '{metadata.get('preset')}' render is never uploaded",
            file=video_file,
            hint="build it with preset: production first",
        )
    video, credits = _video(spec), metadata.get("credits") or []
    tags = tags_of(video, spec["youtube"])
    check_words(video.title, description_of(video, credits), tags, video.path)
    return video, credits


def _video(spec: dict) -> Video:
    return Video(
        spec["channel"],
        spec["video"],
        Path(spec["script"]),
        spec["title"],
        (),
        {},
        description=spec["description"],
        tags=tuple(spec["tags"]),
        publish=True,
    )


def session_file(receipt: Path) -> Path:
    """Beside the receipt: the upload session a killed run can resume."""
    receipt = Path(receipt)
    return receipt.with_name(receipt.name.removesuffix(".json") + ".session.json")


# -- `snakereel youtube login | republish`


def add_arguments(parser) -> None:
    commands = parser.add_subparsers(dest="action", required=True)
    login = commands.add_parser("login", help="run Google's OAuth consent once for a channel")
    login.add_argument("channel")
    login.add_argument(
        "--client-secrets",
        required=True,
        type=Path,
        help="the OAuth client JSON downloaded from the Google Cloud console",
    )
    login.add_argument(
        "--no-browser", action="store_true", help="print the consent URL instead of opening it"
    )
    again = commands.add_parser(
        "republish", help="set a video's receipt aside so `snakemake publish` uploads it again"
    )
    again.add_argument("channel")
    again.add_argument("video")
    for sub in (login, again):
        sub.add_argument("--dir", default=".", type=Path, help="project folder; default: here")


def run(args) -> int:
    project = load_project(args.dir)
    if args.channel not in project.channels:
        raise SnakereelError(f"no channel '{args.channel}'", file=args.dir / "config.yaml")
    settings = youtube_settings(project, args.channel)
    if args.action == "login":
        from . import youtube  # lazy, as in publish_video

        target = youtube.credentials_file(settings["credentials"])
        youtube.login(args.client_secrets, target, settings["token_url"], not args.no_browser)
        print(f"logged in: credentials written to {target} (mode 600)")
        return 0
    return republish(project.layout.at(args.dir), args.channel, args.video)


def republish(layout, channel: str, video: str) -> int:
    receipt = Path(layout.receipt(channel, video))
    if not receipt.is_file():
        raise SnakereelError("no receipt: the video was never uploaded", file=receipt)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = receipt.with_name(receipt.name.removesuffix(".json") + f".replaced-{stamp}.json")
    os.replace(receipt, kept)
    update_section(layout.ledger(channel), "schedule", lambda s: s.pop(video, None))
    print(f"{receipt} set aside as {kept.name}: `snakemake publish` uploads the new version")
    print("the earlier upload stays on YouTube until you delete it there")
    return 0
