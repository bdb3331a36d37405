"""This checkout against a baseline commit, in the same run: same bytes, no-op and edit.

    python bench/compare.py --baseline HEAD~1 [--rounds 5] [--preset production]

Each tree gets its own copy of the example channel and its own output cache, and a cold
build first, after which every speech, caption, image, clip and final video of the two
trees are compared byte for byte. Then, for each round, both trees (in alternating order,
so neither always runs on a warmer machine) time a no-op `snakemake` and an edit of one
sentence (a new sentence every round, so speech is really synthesised). Prints the
medians and current/baseline ratios.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from hashlib import sha256
from pathlib import Path

from common import compile_sources

REPO = Path(__file__).resolve().parents[1]
CHANNEL = "channels/momentum_mindset"
EDITED = f"{CHANNEL}/videos/day-01.yaml"
MEDIA = {".wav", ".ass", ".png", ".mp4", ".onnx"}
RECORDS = {"words.json", "speech.json", "image.json"}
SENTENCE = "breaks the whole plan"  # in the hook of day-01


def snakemake(tree: Path, work: Path, preset: str) -> float:
    env = {**os.environ, "SNAKEMAKE_OUTPUT_CACHE": str(work / ".cache")}
    command = [sys.executable, "-m", "snakemake", "-s", str(tree / "Snakefile")]
    command += ["-d", str(work), "--cores", "2", "--config", f"preset={preset}"]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"snakemake failed in {work}:\n{done.stderr[-2000:]}")
    return elapsed


def prepare(tree: Path, work: Path, preset: str) -> None:
    shutil.copytree(REPO / CHANNEL, work / CHANNEL)
    shutil.copy(REPO / "config.yaml", work / "config.yaml")
    (work / ".cache").mkdir()
    snakemake(tree, work, preset)


def output_bytes(work: Path) -> dict[str, str]:
    """sha256 of every output that must not depend on the code's layout (cache links
    followed); metadata and report pages hold build times, so they are left out."""
    found = {}
    for path in sorted((work / "results").rglob("*")):
        wanted = path.suffix in MEDIA or path.name in RECORDS
        if wanted and path.is_file() and not path.parent.name.endswith(".page"):
            found[str(path.relative_to(work))] = sha256(path.read_bytes()).hexdigest()
    return found


def edit(work: Path, round_: int) -> None:
    path = work / EDITED
    text = path.read_text()
    previous = f"{SENTENCE}, round {round_ - 1}." if round_ else f"{SENTENCE}."
    assert previous in text, f"{previous!r} not in {path}"
    path.write_text(text.replace(previous, f"{SENTENCE}, round {round_}.", 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="a commit of this repository")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--preset", default="production")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="snakereel-compare-") as tmp:
        root = Path(tmp)
        base = root / "baseline-tree"
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "-q", "--detach", str(base), args.baseline],
            check=True,
        )
        try:
            trees = {"baseline": base, "current": REPO}
            for name, tree in trees.items():
                compile_sources(tree)
                prepare(tree, root / name, args.preset)
            outputs = {name: output_bytes(root / name) for name in trees}
            differ = sorted(
                path
                for path in outputs["baseline"].keys() | outputs["current"].keys()
                if outputs["baseline"].get(path) != outputs["current"].get(path)
            )
            print(f"{len(outputs['current'])} outputs compared; differing: {differ or 'none'}")
            times = {name: {"noop": [], "edit": []} for name in trees}
            for round_ in range(args.rounds):
                order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
                for name in order:
                    work = root / name
                    times[name]["noop"].append(snakemake(trees[name], work, args.preset))
                    edit(work, round_)
                    times[name]["edit"].append(snakemake(trees[name], work, args.preset))
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(base)])
    print(f"preset {args.preset}, {args.rounds} interleaved rounds, median wall seconds")
    for kind in ("noop", "edit"):
        medians = {name: statistics.median(times[name][kind]) for name in times}
        ratio = medians["current"] / medians["baseline"]
        print(
            f"{kind:5} baseline {medians['baseline']:6.2f}  current {medians['current']:6.2f}"
            f"  current/baseline {ratio:.3f}"
        )


if __name__ == "__main__":
    main()
