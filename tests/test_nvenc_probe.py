"""The NVENC probe: skipped without NVIDIA's driver, else one tiny real encode decides.

No machine here has an NVENC encoder, so a stand-in ffmpeg plays the GPU encoder: a
script that, like ffmpeg, writes its last argument (or fails, as ffmpeg does without a GPU).
"""

import stat

import pytest

from snakereel import ffmpeg


@pytest.fixture
def fake_ffmpeg(tmp_path, monkeypatch):
    """Returns a function that installs a stand-in ffmpeg exiting with `code`; it logs its
    calls to calls.txt."""
    calls = tmp_path / "calls.txt"

    def install(code: int):
        script = tmp_path / "ffmpeg"
        script.write_text(
            "#!/bin/sh\n"
            f'echo "$@" >> {calls}\n'
            "for last; do :; done\n"
            f'[ {code} -eq 0 ] && echo data > "$last"\n'
            f"exit {code}\n"
        )
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
        monkeypatch.setenv("SNAKEREEL_FFMPEG", str(script))
        ffmpeg.ffmpeg_exe.cache_clear()
        ffmpeg.nvenc_available.cache_clear()
        return calls

    yield install
    ffmpeg.ffmpeg_exe.cache_clear()
    ffmpeg.nvenc_available.cache_clear()


def test_no_driver_means_no_probe(fake_ffmpeg, monkeypatch):
    calls = fake_ffmpeg(0)
    monkeypatch.setattr(ffmpeg, "nvidia_driver_present", lambda: False)
    assert ffmpeg.choose_encoder("auto") == "libx264"
    assert not calls.exists()  # no process started: the no-op build stays fast


@pytest.mark.parametrize(("code", "encoder"), [(0, "h264_nvenc"), (1, "libx264")])
def test_with_a_driver_one_encode_decides(fake_ffmpeg, monkeypatch, code, encoder):
    calls = fake_ffmpeg(code)
    monkeypatch.setattr(ffmpeg, "nvidia_driver_present", lambda: True)
    assert ffmpeg.choose_encoder("auto") == encoder
    assert "-c:v h264_nvenc" in calls.read_text()
    assert ffmpeg.choose_encoder("libx264") == "libx264"  # an explicit choice is kept


def test_driver_check_follows_the_device_nodes(monkeypatch, tmp_path):
    monkeypatch.setattr(ffmpeg.sys, "platform", "linux")
    monkeypatch.setattr(ffmpeg, "NVIDIA_DEVICES", (str(tmp_path / "nvidiactl"),))
    assert not ffmpeg.nvidia_driver_present()
    (tmp_path / "nvidiactl").touch()
    assert ffmpeg.nvidia_driver_present()
    monkeypatch.setattr(ffmpeg.sys, "platform", "darwin")
    assert not ffmpeg.nvidia_driver_present()
