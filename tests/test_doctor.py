"""`snakereel doctor`: real checks, run as a user would, on a healthy and a broken machine."""

import http.server
import os
import shutil
import subprocess
import sys
import threading

from snakereel.doctor import FAIL, OK, check_url, provider_urls

from .conftest import EXAMPLE, REPO


def doctor(cwd, *args, env=None):
    command = [sys.executable, "-m", "snakereel.cli", "doctor", *args]
    merged = {**os.environ, **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=merged)


def line(output: str, name: str) -> str:
    found = [row for row in output.splitlines() if row[7:].startswith(name + " ")]
    assert found, f"no '{name}' line in:\n{output}"
    return found[0]


def project(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "channels" / EXAMPLE.name)
    shutil.copy(REPO / "config.yaml", tmp_path / "config.yaml")
    return tmp_path


def test_healthy_machine_passes(tmp_path):
    done = doctor(project(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("ffmpeg", "captions", "libx264", "piper", "font", "disk"):
        assert line(done.stdout, name).startswith("[ok]"), done.stdout
    assert "en_US-joe-medium" in line(done.stdout, "piper")
    assert "1 channel(s), 2 valid video script(s)" in line(done.stdout, "project")
    # NVENC is probed with a real encode: no GPU here, so a warning, not a failure.
    assert line(done.stdout, "nvenc")[:6] in ("[ok]  ", "[warn]")
    assert "snakereel check VIDEO.mp4" in done.stdout  # doctor points at the upload check


def test_missing_ffmpeg_fails_with_a_fix(tmp_path):
    done = doctor(tmp_path, env={"SNAKEREEL_FFMPEG": str(tmp_path / "no-ffmpeg")})
    assert done.returncode == 1
    ffmpeg_line = line(done.stdout, "ffmpeg")
    assert ffmpeg_line.startswith("[FAIL]") and "no-ffmpeg" in ffmpeg_line
    assert "fix: unset SNAKEREEL_FFMPEG" in done.stdout
    assert line(done.stdout, "captions").startswith("[FAIL]")
    assert "cannot run" in done.stdout


def test_missing_font_package_fails_with_a_fix(tmp_path):
    # A module of the same name earlier on the path that fails to import, as an
    # uninstalled package would.
    shadow = tmp_path / "shadow" / "fontpkg_bebas_neue"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('not installed')\n")
    env = {"PYTHONPATH": os.pathsep.join([str(shadow.parent), os.environ.get("PYTHONPATH", "")])}
    done = doctor(tmp_path, env=env)
    assert done.returncode == 1
    assert "[FAIL] font         Bebas Neue: font package fontpkg_bebas_neue" in done.stdout
    assert "fix: pip install fontpkg-bebas-neue" in done.stdout
    assert line(done.stdout, "captions").startswith("[FAIL]")


def test_bad_project_is_reported(tmp_path):
    root = project(tmp_path)
    (root / "config.yaml").write_text("preset: huge\n")
    done = doctor(root)
    assert done.returncode == 1
    assert "config.yaml: preset: 'huge' is not allowed" in line(done.stdout, "project")


def test_online_checks_only_configured_urls(tmp_path):
    settings = [{"images": {"provider": {"url": "http://127.0.0.1:9/v1"}}}, {"x": "http://a"}]
    assert list(provider_urls(settings)) == ["http://127.0.0.1:9/v1"]


def test_check_url_against_a_local_server():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(401)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.handle_request, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/v1/models"
    try:
        answered = check_url(url)
    finally:
        server.server_close()
    assert answered.status == OK and "HTTP 401" in answered.detail
    closed = check_url(url, timeout=2)
    assert closed.status == FAIL and "unreachable" in closed.detail and closed.hint


def test_every_fix_doctor_prints_is_in_the_docs():
    from snakereel.doctor import FIXES

    docs = " ".join((REPO / "docs" / "troubleshooting.md").read_text().split())
    missing = [key for key, fix in FIXES.items() if " ".join(fix.split()) not in docs]
    assert not missing, f"fix lines not in docs/troubleshooting.md: {missing}"
