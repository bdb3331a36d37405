"""What an MP4 file is made of, read from its boxes (ISO/IEC 14496-12 and -15) and the H.264
parameter sets and slice headers (ITU-T H.264 7.3): no decoding, no ffprobe.

`snakereel check` and the tests compare these facts with a platform's upload spec.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SnakereelError

CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"udta"}
SAMPLE_ENTRY_HEADER = {b"avc1": 78, b"avc3": 78, b"mp4a": 28}  # bytes before child boxes
COLOURS = {1: "bt709", 2: "unknown", 5: "bt470bg", 6: "smpte170m", 9: "bt2020"}
AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000]
SLICE_TYPES = "PBIpi"  # slice_type % 5: P, B, I, SP, SI


@dataclass
class Track:
    kind: str  # vide | soun
    timescale: int = 0
    duration: int = 0
    codec: str = ""
    width: int = 0
    height: int = 0
    boxes: dict = field(default_factory=dict)  # raw bodies of the sample tables, avcC, esds


@dataclass(frozen=True)
class VideoFacts:
    codec: str
    width: int
    height: int
    fps: float
    profile: str
    cabac: bool
    chroma: str  # 4:2:0 ...
    progressive: bool
    max_keyframe_interval: int  # frames
    closed_gops: bool  # every sync sample is an IDR picture
    max_consecutive_b: int
    bitrate: int  # bits per second
    colour: tuple[str, str, str]  # primaries, transfer, matrix ("" when not tagged)


@dataclass(frozen=True)
class AudioFacts:
    codec: str  # aac-lc, aac-he ...
    sample_rate: int
    channels: int


@dataclass(frozen=True)
class Mp4Facts:
    top_level: tuple[str, ...]
    has_edit_list: bool
    duration: float
    video: VideoFacts | None
    audio: AudioFacts | None

    @property
    def faststart(self) -> bool:
        order = list(self.top_level)
        return "moov" in order and "mdat" in order and order.index("moov") < order.index("mdat")


def boxes(data: bytes, start: int = 0, end: int | None = None):
    """(type, body start, body end) of each box in data[start:end]."""
    end = len(data) if end is None else end
    while start + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, start)
        header = 8
        if size == 1:
            size, header = struct.unpack_from(">Q", data, start + 8)[0], 16
        elif size == 0:
            size = end - start
        if size < header:
            raise ValueError("box size smaller than its header")
        yield kind, start + header, min(start + size, end)
        start += size


def _top_level(path: Path) -> tuple[list[str], bytes]:
    """Top-level box names and the moov box's body (the only one read whole)."""
    names, moov = [], b""
    with open(path, "rb") as handle:
        offset = 0
        while header := handle.read(16):
            if len(header) < 8:
                break
            size, kind = struct.unpack_from(">I4s", header)
            skip = 8
            if size == 1 and len(header) == 16:
                size, skip = struct.unpack_from(">Q", header, 8)[0], 16
            elif size == 0:
                size = path.stat().st_size - offset
            if size < skip:
                raise ValueError("box size smaller than its header")
            names.append(kind.decode("latin-1"))
            if kind == b"moov":
                handle.seek(offset + skip)
                moov = handle.read(size - skip)
            offset += size
            handle.seek(offset)
    return names, moov


def _walk(data: bytes, start: int, end: int, track: Track | None, found: dict) -> None:
    for kind, body, stop in boxes(data, start, end):
        if kind == b"elst":
            found["elst"] = True
        if kind == b"trak":
            track = Track("")
            found["tracks"].append(track)
        if kind in CONTAINERS:
            _walk(data, body, stop, track, found)
        elif track is not None:
            _track_box(data, kind, body, stop, track, found)


def _track_box(data: bytes, kind: bytes, body: int, stop: int, track: Track, found) -> None:
    if kind == b"hdlr":
        track.kind = data[body + 8 : body + 12].decode("latin-1")
    elif kind == b"mdhd":
        if data[body] == 1:
            track.timescale, track.duration = struct.unpack_from(">IQ", data, body + 20)
        else:
            track.timescale, track.duration = struct.unpack_from(">II", data, body + 12)
    elif kind == b"stsd":
        for entry, entry_body, entry_stop in boxes(data, body + 8, stop):
            track.codec = entry.decode("latin-1")
            if entry in (b"avc1", b"avc3"):
                track.width, track.height = struct.unpack_from(">HH", data, entry_body + 24)
            skip = SAMPLE_ENTRY_HEADER.get(entry)
            if skip is not None:
                for child, child_body, child_stop in boxes(data, entry_body + skip, entry_stop):
                    track.boxes[child] = data[child_body:child_stop]
    else:
        track.boxes[kind] = data[body:stop]


def _table(body: bytes, fields: str, start: int = 8) -> list[tuple]:
    count = struct.unpack_from(">I", body, start - 4)[0]
    item = struct.calcsize(">" + fields)
    return [struct.unpack_from(">" + fields, body, start + i * item) for i in range(count)]


class Bits:
    """An H.264 RBSP read bit by bit (emulation prevention bytes removed)."""

    def __init__(self, nal: bytes):
        self.data = nal.replace(b"\x00\x00\x03", b"\x00\x00")
        self.position = 0

    def bit(self) -> int:
        byte = self.data[self.position // 8]
        self.position += 1
        return (byte >> (7 - (self.position - 1) % 8)) & 1

    def bits(self, count: int) -> int:
        value = 0
        for _ in range(count):
            value = value << 1 | self.bit()
        return value

    def ue(self) -> int:
        zeros = 0
        while self.bit() == 0:
            zeros += 1
        return (1 << zeros) - 1 + self.bits(zeros)


PROFILES = {66: "baseline", 77: "main", 88: "extended", 100: "high", 110: "high10", 122: "high422"}
HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}


def _sps_facts(sps: bytes) -> tuple[str, str, bool]:
    """(profile, chroma, progressive) from a sequence parameter set (with its NAL header)."""
    bits = Bits(sps[1:])
    profile_idc = bits.bits(8)
    bits.bits(16)  # constraint flags, level
    bits.ue()  # seq_parameter_set_id
    chroma = 1
    if profile_idc in HIGH_PROFILES:
        chroma = bits.ue()
        if chroma == 3:
            bits.bit()
        bits.ue(), bits.ue(), bits.bit()  # bit depths, transform bypass
        if bits.bit():  # seq_scaling_matrix_present_flag: not produced by x264 or nvenc
            return PROFILES.get(profile_idc, str(profile_idc)), "?", False
    bits.ue()  # log2_max_frame_num_minus4
    poc_type = bits.ue()
    if poc_type == 0:
        bits.ue()
    elif poc_type == 1:
        bits.bit(), _se(bits), _se(bits)
        for _ in range(bits.ue()):
            _se(bits)
    bits.ue(), bits.bit()  # max_num_ref_frames, gaps_in_frame_num_allowed
    bits.ue(), bits.ue()  # width and height in macroblocks
    progressive = bool(bits.bit())
    chroma_name = {0: "4:0:0", 1: "4:2:0", 2: "4:2:2", 3: "4:4:4"}[chroma]
    return PROFILES.get(profile_idc, str(profile_idc)), chroma_name, progressive


def _se(bits: Bits) -> int:
    value = bits.ue()
    return (value + 1) // 2 if value % 2 else -(value // 2)


def _cabac(pps: bytes) -> bool:
    bits = Bits(pps[1:])
    bits.ue(), bits.ue()  # pic_parameter_set_id, seq_parameter_set_id
    return bool(bits.bit())  # entropy_coding_mode_flag


def _parameter_sets(avcc: bytes) -> tuple[int, bytes, bytes]:
    """(NAL length size, first SPS, first PPS) from an avcC box."""
    length_size = (avcc[4] & 3) + 1
    offset = 6
    sps_length = struct.unpack_from(">H", avcc, offset)[0]
    sps = avcc[offset + 2 : offset + 2 + sps_length]
    offset += 2 + sps_length + 1  # numOfPictureParameterSets
    pps_length = struct.unpack_from(">H", avcc, offset)[0]
    return length_size, sps, avcc[offset + 2 : offset + 2 + pps_length]


def _sample_positions(track: Track) -> list[tuple[int, int]]:
    """(file offset, size) of every sample, from stsz, stsc and stco/co64."""
    stsz = track.boxes[b"stsz"]
    fixed, count = struct.unpack_from(">II", stsz, 4)
    sizes = [fixed] * count if fixed else list(struct.unpack_from(f">{count}I", stsz, 12))
    if b"co64" in track.boxes:
        chunks = [row[0] for row in _table(track.boxes[b"co64"], "Q")]
    else:
        chunks = [row[0] for row in _table(track.boxes[b"stco"], "I")]
    runs = _table(track.boxes[b"stsc"], "III")
    positions, sample = [], 0
    for index, chunk_offset in enumerate(chunks, start=1):
        per_chunk = next(run[1] for run in reversed(runs) if run[0] <= index)
        offset = chunk_offset
        for _ in range(per_chunk):
            if sample == count:
                return positions
            positions.append((offset, sizes[sample]))
            offset += sizes[sample]
            sample += 1
    return positions


def _first_slice(handle, offset: int, size: int, length_size: int) -> tuple[int, str]:
    """(NAL unit type, slice type letter) of the first slice in a sample."""
    end = offset + size
    while offset + length_size <= end:
        handle.seek(offset)
        length = int.from_bytes(handle.read(length_size), "big")
        header = handle.read(min(length, 32))
        nal_type = header[0] & 0x1F
        if nal_type in (1, 5):
            bits = Bits(header[1:])
            bits.ue()  # first_mb_in_slice
            return nal_type, SLICE_TYPES[bits.ue() % 5]
        offset += length_size + length
    return 0, "?"


def _video_facts(path: Path, track: Track) -> VideoFacts:
    length_size, sps, pps = _parameter_sets(track.boxes[b"avcC"])
    profile, chroma, progressive = _sps_facts(sps)
    positions = _sample_positions(track)
    sync = [row[0] for row in _table(track.boxes[b"stss"], "I")] if b"stss" in track.boxes else []
    keyframes = sync or list(range(1, len(positions) + 1))
    with open(path, "rb") as handle:
        slices = [_first_slice(handle, offset, size, length_size) for offset, size in positions]
    run = longest = 0
    for _, letter in slices:
        run = run + 1 if letter == "B" else 0
        longest = max(longest, run)
    bounds = [*keyframes, len(positions) + 1]
    seconds = track.duration / track.timescale if track.timescale else 0
    return VideoFacts(
        codec=track.codec,
        width=track.width,
        height=track.height,
        fps=_frame_rate(track),
        profile=profile,
        cabac=_cabac(pps),
        chroma=chroma,
        progressive=progressive,
        max_keyframe_interval=max(b - a for a, b in zip(bounds, bounds[1:], strict=False)),
        closed_gops=all(slices[number - 1][0] == 5 for number in keyframes),
        max_consecutive_b=longest,
        bitrate=round(sum(size for _, size in positions) * 8 / seconds) if seconds else 0,
        colour=_colour(track.boxes.get(b"colr", b"")),
    )


def _frame_rate(track: Track) -> float:
    """Frames per second of the most common frame duration (stts)."""
    runs = _table(track.boxes[b"stts"], "II")
    count, delta = max(runs, default=(0, 0))
    return round(track.timescale / delta, 3) if delta else 0.0


def _colour(colr: bytes) -> tuple[str, str, str]:
    if colr[:4] != b"nclx":
        return ("", "", "")
    values = struct.unpack_from(">HHH", colr, 4)
    return tuple(COLOURS.get(value, str(value)) for value in values)


def _audio_facts(track: Track) -> AudioFacts:
    config = _audio_specific_config(track.boxes.get(b"esds", b""))
    if not config:
        return AudioFacts(track.codec, 0, 0)
    object_type = config[0] >> 3
    rate_index = (config[0] & 7) << 1 | config[1] >> 7
    channels = (config[1] >> 3) & 0xF
    codec = {1: "aac-main", 2: "aac-lc", 5: "aac-he", 29: "aac-he-v2"}.get(object_type, "aac")
    rate = AAC_RATES[rate_index] if rate_index < len(AAC_RATES) else 0
    return AudioFacts(codec, rate, channels)


def _audio_specific_config(esds: bytes) -> bytes:
    """The DecoderSpecificInfo (tag 5) inside an esds box's descriptors."""
    offset = 4
    while offset < len(esds):
        tag = esds[offset]
        offset += 1
        length = 0
        for _ in range(4):
            byte = esds[offset]
            offset += 1
            length = length << 7 | byte & 0x7F
            if not byte & 0x80:
                break
        if tag == 3:
            flags = esds[offset + 2]
            offset += 3 + (2 if flags & 0x80 else 0) + (2 if flags & 0x20 else 0)
            if flags & 0x40:
                offset += 1 + esds[offset]
        elif tag == 4:
            offset += 13
        elif tag == 5:
            return esds[offset : offset + length]
        else:
            offset += length
    return b""


def inspect(path: str | Path) -> Mp4Facts:
    path = Path(path)
    try:
        names, moov = _top_level(path)
        found = {"tracks": [], "elst": False}
        _walk(moov, 0, len(moov), None, found)
        video = next((t for t in found["tracks"] if t.kind == "vide"), None)
        audio = next((t for t in found["tracks"] if t.kind == "soun"), None)
        video_facts = _video_facts(path, video) if video and b"avcC" in video.boxes else None
        audio_facts = _audio_facts(audio) if audio else None
    except (OSError, ValueError, KeyError, IndexError, struct.error) as error:
        raise SnakereelError(f"not a readable MP4 file ({error})", file=path) from None
    if not moov:
        raise SnakereelError("not an MP4 file: no moov box", file=path)
    durations = [t.duration / t.timescale for t in found["tracks"] if t.timescale]
    return Mp4Facts(
        tuple(names), found["elst"], max(durations, default=0.0), video_facts, audio_facts
    )
