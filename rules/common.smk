import hashlib
import sys
from pathlib import Path

from snakereel.config import asset_path, load_channels
from snakereel.errors import SnakereelError
from snakereel.ffmpeg import choose_encoder
from snakereel.io import canonical_json
from snakereel.presets import get_preset
from snakereel.providers import image_spec as image_source_spec
from snakereel.tts import jobs as tts_jobs
from snakereel.tts.registry import voice_spec


wildcard_constraints:
    channel=r"[A-Za-z0-9][A-Za-z0-9_-]*",
    video=r"[A-Za-z0-9][A-Za-z0-9_-]*",
    segment=r"[A-Za-z0-9][A-Za-z0-9_-]*",


try:
    CHANNELS = load_channels(Path(config["channels_dir"]), config["channels"])
    PRESET = get_preset(config["preset"])
    PRESET_PARAMS = PRESET.as_params()  # once: every render job's params carry it
except SnakereelError as error:
    sys.exit(f"snakereel: {error.one_line()}")
# Broken scripts are reported now, before any job runs; each fails alone in invalid_video.
for _channel in CHANNELS.values():
    for _error in _channel.errors.values():
        print(f"snakereel: {_error.one_line()}", file=sys.stderr)


def final_videos():
    """Every valid video, plus a failing placeholder job for each broken script."""
    return [
        f"results/{channel.id}/{video}.mp4"
        for channel in CHANNELS.values()
        for video in channel.videos
    ] + [
        f"results/{channel.id}/{video}.invalid"
        for channel in CHANNELS.values()
        for video in channel.errors
    ]


def video_error(wildcards):
    return CHANNELS[wildcards.channel].errors[wildcards.video].one_line()


def channel_of(wildcards):
    return CHANNELS[wildcards.channel]


def video_of(wildcards):
    return channel_of(wildcards).videos[wildcards.video]


def segment_of(wildcards):
    return video_of(wildcards).segment(wildcards.segment)


def segment_files(wildcards, name):
    video = video_of(wildcards)
    return [
        f"results/{video.channel}/{video.id}/{segment.id}/{name}"
        for segment in video.segments
    ]


def encoder():
    return choose_encoder(config["encoder"])


def tts_spec(wildcards):
    segment = segment_of(wildcards)
    voice = segment.voice or channel_of(wildcards).settings["voice"]
    if segment.audio:  # a recorded take: its content, not the voice, shapes the output
        take = asset_path(channel_of(wildcards), segment.audio)
        return canonical_json(
            {
                "text": segment.text,
                "audio_sha256": sha256_of(take),
                "pause": voice["pause"],
            }
        )
    return canonical_json({"text": segment.text, "voice": voice_spec(voice)})


def tts_inputs(wildcards):
    """A recorded take, or what the engine chain needs (prepared Piper model, sample)."""
    segment = segment_of(wildcards)
    if segment.audio:
        return {"take": str(asset_path(channel_of(wildcards), segment.audio))}
    return tts_jobs.inputs(channel_of(wildcards), segment)


def sha256_of(path):
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def image_spec(wildcards):
    images = channel_of(wildcards).settings["images"]
    return canonical_json(image_source_spec(segment_of(wildcards), images))


def image_input(wildcards):
    segment = segment_of(wildcards)
    if segment.image:
        return [str(asset_path(channel_of(wildcards), segment.image))]
    return []


def render_spec(wildcards):
    return canonical_json(
        {
            "preset": PRESET_PARAMS,
            "motion": segment_of(wildcards).motion,
            "encoder": encoder(),
            "captions": video_of(wildcards).captions,
        }
    )


def music_input(wildcards):
    music = channel_of(wildcards).settings["music"]
    if music.get("file"):
        return str(asset_path(channel_of(wildcards), music["file"]))
    return f"results/{wildcards.channel}/music.wav"


def mix_spec(wildcards):
    music = channel_of(wildcards).settings["music"]
    return canonical_json(
        {
            "volume": music["volume"],
            "ducking": music["ducking"],
            "loudness": config["loudness"],
            "audio_bitrate": PRESET.audio_bitrate,
            "fps": PRESET.fps,
        }
    )


def metadata_files():
    return [
        f"results/{channel.id}/{video}.json"
        for channel in CHANNELS.values()
        for video in channel.videos
    ]


def metadata_spec(wildcards):
    channel = channel_of(wildcards)
    voice = channel.settings["voice"]
    http = channel.settings["images"].get("http", {})
    video = video_of(wildcards)
    return canonical_json(
        {
            "title": video.title,
            "segments": [segment.id for segment in video.segments],
            "voice": {"engine": voice["engine"], "voice": voice["voice"]},
            "preset": PRESET.name,
            "encoder": encoder(),
            "price_per_image": http.get("price_per_image", 0),
            "currency": http.get("currency", "USD"),
        }
    )
