"""Every path the workflow reads or writes, spelled once.

Called with no ids, a method gives the Snakemake pattern (`{channel}` and friends are
wildcards); called with ids, the path of one file. Paths are relative to the project
folder, which is Snakemake's working directory; `Layout.at(root)` makes them absolute.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CHANNEL = ("{channel}",)
VIDEO = ("{channel}", "{video}")
SEGMENT = ("{channel}", "{video}", "{segment}")
MODELS = ("_models", "piper")


@dataclass(frozen=True)
class Layout:
    channels_dir: str = "channels"
    root: str = ""  # "" keeps paths relative to the working directory

    def at(self, root: str | Path) -> Layout:
        return Layout(self.channels_dir, str(root))

    def _path(self, *parts: str) -> str:
        return "/".join(filter(None, (self.root.rstrip("/"), *parts)))

    # -- what the user writes
    def channels(self) -> Path:
        return Path(self._path(self.channels_dir))

    def channel_folder(self, channel: str) -> Path:
        return self.channels() / channel

    def video_scripts(self, channel: str) -> Path:
        return self.channel_folder(channel) / "videos"

    def ideas(self, channel: str) -> Path:
        """Topics the workflow writes scripts for (docs/writing.md)."""
        return self.channel_folder(channel) / "ideas.yaml"

    # -- what the workflow writes
    def segment(self, name: str, channel="{channel}", video="{video}", segment="{segment}"):
        """A per-segment output: speech.wav, words.json, clip.mp4, ..."""
        return self._path("results", channel, video, segment, name)

    def video(self, suffix: str, channel="{channel}", video="{video}") -> str:
        """A per-video output beside the segment folders: `.mp4`, `.json`, `.page`, ..."""
        return self._path("results", channel, video + suffix)

    def channel(self, name: str, channel="{channel}") -> str:
        """A per-channel output: music.wav."""
        return self._path("results", channel, name)

    def written(self, channel="{channel}", video="{video}") -> str:
        """An idea's script as the write job wrote it (a script in videos/ wins)."""
        return self._path("results", channel, "_written", f"{video}.yaml")

    def model(self, model="{model}") -> str:
        return self._path("results", *MODELS, f"{model}.onnx")

    def log(self, job: str, *scope: str) -> str:
        """`logs/<scope>/<job>.log`, e.g. log("tts", *SEGMENT)."""
        return self._path("logs", *scope, f"{job}.log")

    def benchmark(self, job: str, *scope: str) -> str:
        return self._path("benchmarks", *scope, f"{job}.tsv")

    def video_records(self, channel: str, video: str, segments: list[str]) -> dict:
        """What the metadata job reads about a video's jobs: outputs, logs, benchmarks."""

        def of(segment: str) -> dict:
            ids = (channel, video, segment)
            return {
                "tts": self.segment("speech.wav", *ids),
                "speech_info": self.segment("speech.json", *ids),
                "image": self.segment("image.png", *ids),
                "image_info": self.segment("image.json", *ids),
                "footage_info": self.segment("footage.json", *ids),
                "tts_log": self.log("tts", *ids),
                "image_log": self.log("image", *ids),
                "render_benchmark": self.benchmark("render", *ids),
            }

        return {
            "final": self.video(".mp4", channel, video),
            "mix_benchmark": self.benchmark("mix", channel, video),
            "written": self.written(channel, video),  # an idea's, when the workflow wrote it
            "write_log": self.log("write", channel, video),
            "segments": {segment: of(segment) for segment in segments},
        }

    def receipt(self, channel="{channel}", video="{video}") -> str:
        """The upload receipt: outside results/, so cleaning never loses it."""
        return self._path("published", channel, f"{video}.youtube.json")

    def ledger(self, channel: str) -> Path:
        """State shared by a channel's videos (docs/architecture.md, "The ledger")."""
        return Path(self._path("ledger", f"{channel}.json"))
