#!/usr/bin/env bash
# Rebuild the pictures in docs/img: the rule graph (Graphviz `dot`, Debian's graphviz
# package) and, from a draft build of the example video, its contact sheet and one frame.
set -euo pipefail
cd "$(dirname "$0")/../.."
img=docs/img
snakemake --rulegraph --cores 1 2>/dev/null | dot -Tpng -Gdpi=80 -o "$img/rulegraph.png"
snakemake --cores 2 results/momentum_mindset/day-01.contact.png results/momentum_mindset/day-01.mp4 --config preset=draft
python - <<'PY'
import subprocess
from PIL import Image
from snakereel.ffmpeg import ffmpeg_exe

sheet = Image.open("results/momentum_mindset/day-01.contact.png")
sheet.save("docs/img/contact-sheet.png", optimize=True)
subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-ss", "3.2", "-i",
                "results/momentum_mindset/day-01.mp4", "-frames:v", "1",
                "-vf", "scale=270:480", "docs/img/frame.png"], check=True)
PY
