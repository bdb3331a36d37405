import hashlib
import os
import sys

from snakereel.errors import SnakereelError, or_exit
from snakereel.ffmpeg import choose_encoder
from snakereel.footage import encoding as footage_encoding
from snakereel.io import canonical_json
from snakereel.layout import CHANNEL, MODELS, SEGMENT, VIDEO
from snakereel.project import load_project
from snakereel.publish import plan, upload_spec
from snakereel.providers import IMAGE_POLICY
from snakereel.providers import image_spec, legacy_base_url, legacy_notice
from snakereel.jobs import files_content, write_job_file
from snakereel.stock import query_of, settings_of
from snakereel.voice import env_file, voice_spec
from snakereel.writer import (
    WRITER_POLICY,
    Earlier,
    prompt_text,
    write_spec as writer_spec,
)


wildcard_constraints:
    channel=r"[A-Za-z0-9][A-Za-z0-9_-]*",
    video=r"[A-Za-z0-9][A-Za-z0-9_-]*",
    segment=r"[A-Za-z0-9][A-Za-z0-9_-]*",
    model=r"[A-Za-z0-9][A-Za-z0-9_-]*",


# The project layer loads config, channels and scripts once; rules only ask it.
PROJECT = or_exit(load_project, ".", config, workflow.config_settings.config)
LAYOUT = PROJECT.layout
PRESET = PROJECT.preset
CHANNELS = PROJECT.channels
# Broken scripts are reported now, before any job runs; each fails alone in invalid_video.
for _channel in CHANNELS.values():
    for _error in _channel.errors.values():
        print(f"snakereel: {_error.one_line()}", file=sys.stderr)
    _http = _channel.settings["images"].get("http", {})
    if _http and legacy_base_url(_http["base_url"]):
        print(
            f"snakereel: {legacy_notice(_channel.id, _http['base_url'])}",
            file=sys.stderr,
        )
for _warning in PROJECT.length_warnings():
    print(f"snakereel: warning: {_warning}", file=sys.stderr)

# The image providers' run-time policy (key variable, retries, timeout, fallback) reaches
# image jobs through the environment, not params: params are the cache key and the rerun
# trigger, and a new retry count must neither rebuild images nor miss the cache.
os.environ[IMAGE_POLICY] = canonical_json(
    {channel.id: channel.settings["images"] for channel in CHANNELS.values()}
)
# The same for the writer: timeout, retries, attempts, key variable and prices.
os.environ[WRITER_POLICY] = canonical_json(
    {
        channel.id: {**channel.settings["writer"], "file": str(channel.path)}
        for channel in CHANNELS.values()
        if "writer" in channel.settings
    }
)


# Every job runs `python -m snakereel.run <kind>` (src/snakereel/run.py): a small Python
# process that imports neither Snakemake nor more of snakereel than its kind needs. What a
# job is told (its params; its inputs) is in two job files named by the hash of their
# content; the shell line holds only those, the log, the wildcards (safe ids) and outputs.
JOB_FILES = ".snakemake/snakereel/jobs"


def job_file(**params):
    """A job's `job` param: the file of its params (each a function of the wildcards)."""

    def path(wildcards):
        values = {name: value(wildcards) for name, value in params.items()}
        return write_job_file(JOB_FILES, values)

    return path


def job_files(wildcards, input, output):
    """A job's `files` param: the file of its inputs and the names of its outputs."""
    return write_job_file(JOB_FILES, files_content(input, output))


def job_line(kind, *scope):
    """The shell line of a job; SNAKEREEL_PYTHON is the workflow's own Python (Snakefile),
    unset with --use-conda, where the job's environment provides `python`."""
    wildcards = "".join(f" {name}={{wildcards.{name}}}" for name in _names(scope))
    python = '"${{SNAKEREEL_PYTHON:-python}}"'
    files = "{params.job} {params.files} {log:q}"
    return f"{python} -m snakereel.run {kind} {files}{wildcards} -- {{output:q}}"


def _names(scope):
    return [part.strip("{}") for part in scope]


def channels_dir(wildcards):
    return config["channels_dir"]


def final_videos():
    """Every valid video, plus a failing placeholder job for each broken script."""
    return [
        LAYOUT.video(".mp4", video.channel, video.id)
        for video in PROJECT.valid_videos()
    ] + [
        LAYOUT.video(".invalid", channel.id, video)
        for channel in CHANNELS.values()
        for video in channel.errors
    ]


def written_scripts():
    """Every idea's script, named up front so the writes run side by side."""
    return [
        LAYOUT.written(channel.id, idea)
        for channel in CHANNELS.values()
        for idea in channel.ideas
    ]


def idea_targets(wildcards):
    """Each idea's video: its script comes from the write checkpoint, so the DAG is
    evaluated again once it exists (a script in videos/ with the same id wins)."""
    targets = []
    for channel in CHANNELS.values():
        for idea in channel.ideas:
            checkpoints.write.get(channel=channel.id, video=idea)
            targets += [
                LAYOUT.video(suffix, channel.id, idea)
                for suffix in (".mp4", ".contact.png", ".page", ".json")
            ]
    return targets


def write_spec(wildcards):
    """What shapes a written script (the cache key); earlier means the channel's own
    scripts in videos/, so one idea's script never depends on another's."""
    channel = channel_of(wildcards)
    settings = channel.settings["writer"]
    idea = channel.ideas[wildcards.video]
    earlier = Earlier.of(
        (video.title, video.segments[0].text) for video in channel.videos.values()
    )
    prompt = or_exit(prompt_text, settings, channel.folder)
    return canonical_json(
        writer_spec(settings, prompt, idea.topic, idea.notes, earlier)
    )


def video_error(wildcards):
    return CHANNELS[wildcards.channel].errors[wildcards.video].one_line()


def channel_of(wildcards):
    return CHANNELS[wildcards.channel]


def video_of(wildcards):
    if wildcards.video in CHANNELS[wildcards.channel].ideas:
        checkpoints.write.get(
            channel=wildcards.channel, video=wildcards.video
        )  # written by the checkpoint: wait for it
    return PROJECT.video(wildcards.channel, wildcards.video)


def segment_of(wildcards):
    return video_of(wildcards).segment(wildcards.segment)


def segment_files(wildcards, name):
    video = video_of(wildcards)
    return [LAYOUT.segment(name, video.channel, video.id, s.id) for s in video.segments]


def video_encoder():
    """The encoder renders use; `auto` probes NVENC once per workflow (a tiny real encode)."""
    return choose_encoder(config["encoder"])


def tts_spec(wildcards):
    segment = segment_of(wildcards)
    if (
        segment.audio_path
    ):  # a recorded take: its content, not the voice, shapes the output
        return canonical_json(
            {
                "text": segment.text,
                "audio_sha256": sha256_of(segment.audio_path),
                "pause": segment.voice["pause"],
            }
        )
    return canonical_json({"text": segment.text, "voice": voice_spec(segment.voice)})


def tts_inputs(wildcards):
    return PROJECT.speech_inputs(wildcards.channel, segment_of(wildcards))


def tts_env(wildcards):
    return f"../envs/{env_file(segment_of(wildcards).voice)}"


def piper_model_files(voice):
    return [voice, voice + ".json"] if voice.endswith(".onnx") else []


def sha256_of(path):
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def image_params(wildcards):
    images = channel_of(wildcards).settings["images"]
    aspect = PROJECT.aspect(video_of(wildcards))
    return canonical_json(image_spec(segment_of(wildcards), images, aspect))


def image_input(wildcards):
    segment = segment_of(wildcards)
    return [segment.image_path] if segment.image_path else []


def render_inputs(wildcards):
    """The picture by the segment's visual kind: its own clip, the downloaded stock file
    (with the choice and the card it falls back to), or the still image."""
    segment = segment_of(wildcards)
    found = {
        "wav": LAYOUT.segment("speech.wav"),
        "words": LAYOUT.segment("words.json"),
    }
    if segment.visual == "clip":
        return {"image": segment.video_path, **found}
    if segment.visual == "stock":
        return {
            "image": LAYOUT.segment("footage.media"),
            "choice": LAYOUT.segment("footage.json"),
            "card": LAYOUT.segment("image.png"),
            **found,
        }
    return {"image": LAYOUT.segment("image.png"), **found}


def render_spec(wildcards):
    segment = segment_of(wildcards)
    preset = PROJECT.preset_for(video_of(wildcards))
    spec = {
        "preset": preset.as_params(),
        "motion": segment.motion,
        "safe_zones": config["safe_zones"],
        "encoder": video_encoder(),
        "captions": video_of(wildcards).captions,
    }
    if segment.footage:  # stills keep exactly their old spec: nothing of theirs reruns
        spec["footage"] = {
            "source": segment.visual,
            "loop": segment.loop,
            "focus": segment.focus,
            "encoding": footage_encoding(preset),
        }
    return canonical_json(spec)


def footage_choice_spec(wildcards):
    """What shapes a video's stock choice: the provider, the frame, each stock segment's
    query in script order (the key variable, timeouts and retries stay out)."""
    video = video_of(wildcards)
    stock = settings_of(channel_of(wildcards).settings["images"]["stock"])
    preset = PROJECT.preset_for(video)
    segments = [
        {"id": s.id, "query": query_of(s.search, s.text)}
        for s in video.segments
        if s.visual == "stock"
    ]
    return canonical_json(
        {
            "provider": stock["provider"],
            "base_url": stock["base_url"],
            "results": stock["results"],
            "width": preset.width,
            "height": preset.height,
            "segments": segments,
        }
    )


def visual_files(wildcards, name, kinds):
    """`name` for each segment whose visual is one of `kinds`."""
    video = video_of(wildcards)
    return [
        LAYOUT.segment(name, video.channel, video.id, s.id)
        for s in video.segments
        if s.visual in kinds
    ]


STILL_KINDS = ("file", "card", "http", "stock")  # stock: the card it falls back to


def music_input(wildcards):
    return channel_of(wildcards).music_path or LAYOUT.channel(
        "music.wav", wildcards.channel
    )


def mix_spec(wildcards):
    music = channel_of(wildcards).settings["music"]
    return canonical_json(
        {
            "volume": music["volume"],
            "ducking": music["ducking"],
            "loudness": config["loudness"],
            "audio_bitrate": PRESET.audio_bitrate,
            "fps": PRESET.fps,
            "platforms": channel_of(wildcards).settings["platforms"],
        }
    )


def metadata_files():
    return [
        LAYOUT.video(".json", video.channel, video.id)
        for video in PROJECT.valid_videos()
    ]


def metadata_spec(wildcards):
    channel = channel_of(wildcards)
    voice = channel.settings["voice"]
    http = channel.settings["images"].get("http", {})
    video = video_of(wildcards)
    writer = channel.settings.get("writer", {})
    return canonical_json(
        {
            "writer": {
                "model": video.generated.get("model", ""),
                "tokens": video.generated.get("tokens", {}),
                "price_per_million": writer.get("price_per_million", {}),
                "currency": writer.get("currency", "USD"),
            },
            "title": video.title,
            "segments": [segment.id for segment in video.segments],
            "voice": {"engine": voice["engine"], "voice": voice["voice"]},
            "preset": PRESET.name,
            "aspect": PROJECT.aspect(video_of(wildcards)),
            "encoder": video_encoder(),
            "price_per_image": http.get("price_per_image", 0),
            "currency": http.get("currency", "USD"),
        }
    )


def publish_receipts(wildcards):
    """Receipts to make; a problem of any approved video stops the run before any upload."""
    try:
        videos, notes = plan(PROJECT)
    except SnakereelError as error:
        for line in error.one_line().splitlines():
            print(f"snakereel: {line}", file=sys.stderr)
        sys.exit(1)
    for line in notes:
        print(f"snakereel: {line}", file=sys.stderr)
    return [LAYOUT.receipt(video.channel, video.id) for video in videos]


def youtube_spec(wildcards):
    return canonical_json(upload_spec(PROJECT, video_of(wildcards)))
