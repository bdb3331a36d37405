"""Contact sheets from real rendered clips: size, one tile per segment, timings."""

from pathlib import Path

from PIL import Image

from snakereel.contact import (
    GAP,
    HEADER_H,
    MAX_COLUMNS,
    TEXT_H,
    THUMB_H,
    THUMB_W,
    clock,
    contact_sheet,
    frame_and_duration,
    grid,
    sheet_size,
    tile_box,
    wrap,
)
from snakereel.presets import get_preset

from .test_media import make_segment, render_segment

COLOURS = [(220, 30, 30), (30, 200, 30), (30, 30, 220)]


def test_layout_arithmetic():
    assert sheet_size(3) == (3 * THUMB_W + 4 * GAP, HEADER_H + THUMB_H + TEXT_H + 2 * GAP)
    assert [grid(n) for n in (1, 5, 6, 7, 11)] == [(1, 1), (5, 1), (3, 2), (4, 2), (4, 3)]
    assert all(grid(n)[0] <= MAX_COLUMNS for n in range(1, 40))
    width, height = sheet_size(7)  # two rows of four
    assert width == 4 * THUMB_W + 5 * GAP
    assert height == HEADER_H + 2 * (THUMB_H + TEXT_H) + 3 * GAP
    boxes = [tile_box(i, 7) for i in range(7)]
    assert len(set(boxes)) == 7
    assert boxes[4][1] > boxes[0][3] and boxes[4][0] == boxes[0][0]  # 5th tile: next row
    assert all(right <= width and bottom <= height for _, _, right, bottom in boxes)
    assert clock(65.25) == "1:05.2" and clock(3) == "0:03.0"


def test_wrap_keeps_to_the_width_and_line_count():
    from snakereel.contact import _font

    font = _font(14, 400)
    lines = wrap("word " * 80, font, THUMB_W, 4)
    assert len(lines) == 4 and lines[-1].endswith("…")
    assert all(font.getlength(line) <= THUMB_W for line in lines)


def plain_clip(folder: Path, seconds: float, colour: tuple) -> Path:
    """A real draft clip of one colour, with a caption in the middle."""
    segment = make_segment(folder, seconds)
    Image.new("RGB", (1080, 1920), colour).save(segment["image"])
    return render_segment(segment, folder / "clip.mp4", get_preset("draft"))


def test_contact_sheet_has_one_tile_per_segment(tmp_path):
    clips, segments = [], []
    for index, colour in enumerate(COLOURS):
        clips.append(plain_clip(tmp_path / f"s{index}", 0.5 + index * 0.5, colour))
        segments.append({"id": f"seg-{index}", "text": f"Sentence number {index}."})
    sheet_path = tmp_path / "video.contact.png"
    contact_sheet("A title", segments, clips, sheet_path)
    sheet = Image.open(sheet_path).convert("RGB")
    assert sheet.size == sheet_size(3) == (3 * THUMB_W + 4 * GAP, sheet.size[1])
    for index, colour in enumerate(COLOURS):
        left, top, right, bottom = tile_box(index, 3)
        # Away from the centred caption: the clip's own colour.
        pixel = sheet.getpixel(((left + right) // 2, top + THUMB_H // 8))
        assert all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=True)), (index, pixel)
    # Past the last tile: background only.
    assert sheet.getpixel((sheet.width - 2, HEADER_H + GAP + THUMB_H // 2)) == (24, 24, 28)
    # Same clips, same bytes.
    again = tmp_path / "again.png"
    contact_sheet("A title", segments, clips, again)
    assert again.read_bytes() == sheet_path.read_bytes()


def test_a_clip_shorter_than_the_thumbnail_moment_shows_its_first_frame(tmp_path):
    frame, duration = frame_and_duration(plain_clip(tmp_path, 0.3, COLOURS[1]))
    assert abs(duration - 0.3) < 0.05
    pixel = frame.getpixel((THUMB_W // 2, THUMB_H // 8))
    assert all(abs(a - b) < 40 for a, b in zip(pixel, COLOURS[1], strict=True)), pixel
