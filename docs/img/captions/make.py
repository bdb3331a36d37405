"""Regenerate the caption pictures of docs/captions.md (real Piper speech, real renders).

python docs/img/captions/make.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "src"))

from snakereel.captions import write_captions  # noqa: E402
from snakereel.schema import validate  # noqa: E402
from snakereel.ffmpeg import ffmpeg_exe  # noqa: E402
from snakereel.fonts import fonts_dir  # noqa: E402
from snakereel.images import make_card, save_png  # noqa: E402
from snakereel.presets import get_preset  # noqa: E402
from snakereel.render import render_clip  # noqa: E402
from snakereel.tts import load_engine  # noqa: E402

TEXT = "Small steps, every single day."
SHOTS = {  # picture name -> caption settings, and the word being spoken in the picture
    "word": ({"style": "word"}, "every"),
    "karaoke": ({"style": "karaoke"}, "every"),
    "phrase": ({"style": "phrase"}, "every"),
    "top": ({"style": "karaoke", "position": "top"}, "single"),
    "center": ({"style": "karaoke", "position": "center"}, "single"),
    "bottom": ({"style": "karaoke", "position": "bottom"}, "single"),
}


def main() -> None:
    speech = load_engine({"voice": "en_US-joe-medium", "seed": 7}).synthesize(TEXT)
    speech = speech.with_silence(0.35)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        speech.save(folder / "speech.wav", folder / "words.json")
        card = make_card(["#0F2027", "#203A43", "#2C5364"], "#FFD23F", "", "docs")
        save_png(card, folder / "image.png")
        for name, (settings, spoken) in SHOTS.items():
            style = validate({"title": "t", "captions": settings}, "channel", "docs")["captions"]
            write_captions(speech.words, style, speech.duration, folder / "captions.ass")
            render_clip(
                folder / "image.png",
                folder / "speech.wav",
                folder / "captions.ass",
                folder / "clip.mp4",
                duration=speech.duration,
                preset=get_preset("draft"),
                motion="static",
                encoder="libx264",
                fonts=fonts_dir(style["font"]),
            )
            word = next(w for w in speech.words if w.word.strip(",.") == spoken)
            at = (word.start + word.end) / 2
            subprocess.run(
                [ffmpeg_exe(), "-v", "error", "-y", "-i", str(folder / "clip.mp4")]
                + ["-ss", f"{at:.3f}", "-frames:v", "1", "-vf", "scale=270:480"]
                + ["-fflags", "+bitexact", str(HERE / f"{name}.png")],
                check=True,
            )
            print(HERE / f"{name}.png")


if __name__ == "__main__":
    main()
