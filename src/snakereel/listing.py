"""`snakereel list`: channels, videos and segments, and which are built or stale.

Built or stale is Snakemake's own verdict (`snakemake --summary`): the same mtime,
params, input and code triggers that decide what the next `snakemake` run rebuilds.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SnakereelError
from .project import Project, load_project

HELP = "list channels, videos and segments, and which are built, stale or not built"
WORKFLOW = Path(__file__).resolve().parents[2] / "Snakefile"


@dataclass
class Status:
    """Summary rows of the outputs of one video or one segment."""

    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (file, status, plan)

    def verdict(self) -> str:
        missing = [status == "missing" for _, status, _ in self.rows]
        if all(missing):
            return "not built"
        if any(missing):
            return "partly built"
        if all(plan == "no update" for _, _, plan in self.rows):
            return "built"
        reasons = sorted(
            {status for _, status, plan in self.rows if status != "ok" and plan != "no update"}
        )
        return "stale: " + (", ".join(reasons) if reasons else "inputs changed")


def summary(project: Path, snakefile: Path, extra: list[str]) -> list[dict]:
    command = [sys.executable, "-m", "snakemake", "--summary", "--cores", "1"]
    command += ["-s", str(snakefile), "-d", str(project), *extra]
    done = subprocess.run(command, capture_output=True, text=True, cwd=project)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SnakereelError(f"snakemake --summary failed: {last}", file=snakefile)
    lines = [row for row in done.stdout.splitlines() if "\t" in row]
    return list(csv.DictReader(lines, delimiter="\t"))


def group_rows(rows: list[dict], project: Project) -> dict[tuple, Status]:
    """Key each output by (channel, video) or (channel, video, segment)."""
    layout, keys = project.layout, {}
    for video in project.valid_videos():
        ids = (video.channel, video.id)
        keys[layout.video(".mp4", *ids)] = ids
        for segment in video.segments:
            keys[layout.segment("", *ids, segment.id)] = (*ids, segment.id)  # its folder
    groups: dict[tuple, Status] = {}
    for row in rows:
        path = row["output_file"]
        key = keys.get(path) or keys.get(str(Path(path).parent))
        if key:
            groups.setdefault(key, Status()).rows.append((path, row["status"], row["plan"]))
    return groups


def publishing(project: Project, root: Path) -> dict[tuple, str]:
    """Per video: `published <url>` from its receipt, else `approved` for `publish: true`."""
    found = {}
    for video in project.valid_videos():
        receipt = Path(project.layout.at(root).receipt(video.channel, video.id))
        if receipt.is_file():
            url = json.loads(receipt.read_text(encoding="utf-8")).get("url", "")
            found[(video.channel, video.id)] = f"published {url}"
        elif video.publish:
            found[(video.channel, video.id)] = "approved, not uploaded"
    return found


def render(channels: dict, groups: dict[tuple, Status], published: dict | None = None) -> list[str]:
    lines, published = [], published or {}
    for channel in channels.values():
        lines.append(f"{channel.id}  ({channel.settings['title']})")
        for video in channel.videos.values():
            verdict = groups.get((channel.id, video.id), Status()).verdict()
            segments = {
                segment.id: groups.get((channel.id, video.id, segment.id), Status()).verdict()
                for segment in video.segments
            }
            changed = [name for name, status in segments.items() if status.startswith("stale")]
            if verdict == "stale: inputs changed" and changed:
                verdict = "stale: " + ", ".join(changed) + " changed"
            count = f"{len(video.segments)} segment(s)"
            note = published.get((channel.id, video.id), "")
            lines.append(f"  {video.id:<24} {verdict:<32} {count:<16} {note}".rstrip())
            for name, status in segments.items():
                lines.append(f"    {name:<22} {status}")
        for video_id, error in channel.errors.items():
            lines.append(f"  {video_id:<24} invalid: {error.one_line()}")
    return lines


def add_arguments(parser) -> None:
    parser.add_argument("--dir", default=".", type=Path, help="project folder; default: here")
    parser.add_argument(
        "--snakefile",
        type=Path,
        help="default: the project's Snakefile, else the one installed with snakereel",
    )
    parser.add_argument(
        "--config",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        help="the --config you build with (e.g. preset=draft): it decides what is stale",
    )


def run(args) -> int:
    project = args.dir.resolve()
    snakefile = args.snakefile or (
        project / "Snakefile" if (project / "Snakefile").is_file() else WORKFLOW
    )
    loaded = load_project(project)
    extra = ["--config", *args.config] if args.config else []
    groups = group_rows(summary(project, snakefile, extra), loaded)
    print("\n".join(render(loaded.channels, groups, publishing(loaded, project))))
    print(
        "\nStale and missing outputs build on the next `snakemake` run (`snakemake -n` lists them)."
    )
    return 0
