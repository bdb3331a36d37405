"""The fast render path: same motion as the classic push-in, same bytes every time."""

import pytest

from snakereel.presets import get_preset
from snakereel.render import ZOOM_MAX, encoder_args, zoom_per_frame

from .test_media import make_segment, render_segment


def test_kenburns_zooms_like_the_original_then_slows_for_long_segments():
    assert zoom_per_frame(205, 30) == pytest.approx(0.0015)  # +0.0015 per frame at 30 fps
    assert zoom_per_frame(164, 24) == pytest.approx(0.045 / 24)  # same speed in time
    long = zoom_per_frame(900, 30)  # 30 s: would reach 2.35x at the classic speed
    assert 1 + long * 899 == pytest.approx(ZOOM_MAX)


def test_production_x264_options_reach_the_encoder():
    args = encoder_args("libx264", get_preset("production"), threads=2)
    assert args[args.index("-tune") + 1] == "animation"
    assert "mbtree=1" in args[args.index("-x264-params") + 1]
    draft = encoder_args("libx264", get_preset("draft"), threads=1)
    assert "-tune" not in draft and "-x264-params" not in draft


@pytest.mark.parametrize("motion", ["kenburns", "pan"])
def test_production_render_is_deterministic(tmp_path, motion):
    segment = make_segment(tmp_path / "seg", 0.5)
    outputs = []
    for name in ("a.mp4", "b.mp4"):
        out = render_segment(segment, tmp_path / "seg" / name, get_preset("production"), motion)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
