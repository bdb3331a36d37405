"""Job start-up: `python -m snakereel.run`, its job files, its log line and its floor."""

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image

from snakereel import floor
from snakereel.exit import drop_local_rate_limiter
from snakereel.jobs import Files, files_content, write_job_file

from .conftest import REPO

DONE = re.compile(
    r"done in ([0-9.]+) s \(CPU ([0-9.]+) s with start-up and tools, floor ([0-9.]+) s"
)


class Named(list):
    """Stands in for Snakemake's Namedlist: a list with `items()` and `keys()` of its names."""

    def __init__(self, paths, **named):
        super().__init__(paths)
        self.named = named

    def items(self):
        return self.named.items()

    def keys(self):
        return self.named.keys()


def test_job_files_are_named_by_their_content(tmp_path):
    first = write_job_file(str(tmp_path), {"spec": '{"text":"Hi"}'})
    again = write_job_file(str(tmp_path), {"spec": '{"text":"Hi"}'})
    other = write_job_file(str(tmp_path), {"spec": '{"text":"Hi!"}'})
    assert first == again != other
    assert json.loads(Path(first).read_text()) == {"spec": '{"text":"Hi"}'}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.rsplit("/", 1)[1] for p in (first, other)
    )  # no partial files left behind


def test_inputs_and_output_names_but_never_output_paths(tmp_path):
    inputs = Named(["a.wav", "b.wav", "m.wav"], wavs=["a.wav", "b.wav"], music="m.wav")
    outputs = Named(["results/x/v.mp4"], final="results/x/v.mp4")
    content = files_content(inputs, outputs)
    assert content == {
        "input": ["a.wav", "b.wav", "m.wav"],
        "named_input": {"wavs": ["a.wav", "b.wav"], "music": "m.wav"},
        "output_names": ["final"],
    }
    assert "results/x/v.mp4" not in json.dumps(content)  # a cache key must not hold it
    files = Files(content["input"], content["named_input"])
    assert (files.wavs, files.music, files[2]) == (["a.wav", "b.wav"], "m.wav", "m.wav")


def run_job(tmp_path, kind, params, inputs=(), outputs=(), wildcards=()):
    folder = str(tmp_path / "jobs")
    job = write_job_file(folder, params)
    files = write_job_file(folder, files_content(Named(list(inputs)), Named(list(outputs))))
    log = tmp_path / f"{kind}.log"
    command = [sys.executable, "-m", "snakereel.run", kind, job, files, str(log)]
    command += [*wildcards, "--", *map(str, outputs)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    return done, log.read_text()


def test_a_job_runs_its_kind_and_logs_cpu_and_floor(tmp_path):
    choice = tmp_path / "choice.json"
    choice.write_text(json.dumps({"segments": {"s2": {"kind": "video", "url": "u"}}}))
    out = tmp_path / "s2.json"
    done, log = run_job(
        tmp_path, "footage_pick", {}, [choice], [out], ["channel=c", "video=v", "segment=s2"]
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text()) == {"kind": "video", "url": "u"}
    wall, cpu, work = map(float, DONE.search(log).groups())
    assert wall > 0 and cpu > 0 and work >= 0


def test_the_floor_of_a_job_is_its_work(tmp_path):
    """The music job's synthesis is its work: counted, and never more than the job's CPU."""
    out = tmp_path / "music.wav"
    done, log = run_job(tmp_path, "music", {"spec": '{"seed": 3}'}, [], [out], ["channel=c"])
    assert done.returncode == 0, done.stderr
    _, cpu, work = map(float, DONE.search(log).groups())
    assert 0 < work <= cpu


def test_a_user_error_is_one_line_exit_1_and_logged(tmp_path):
    message = "channels/c/videos/v.yaml: segments[0].text: must not be empty"
    done, log = run_job(tmp_path, "invalid", {"error": message}, [], [tmp_path / "v.invalid"])
    assert done.returncode == 1
    assert done.stderr.strip() == f"snakereel: {message}"
    assert message in log and "done in" not in log
    assert not (tmp_path / "v.invalid").exists()


def test_work_in_the_thread_and_in_child_processes_counts():
    before = floor.seconds()
    with floor.work():
        deadline = time.thread_time() + 0.05
        while time.thread_time() < deadline:
            pass
    assert floor.seconds() - before >= 0.05
    tools = floor.tools_cpu()
    subprocess.run([sys.executable, "-c", "sum(range(3_000_000))"], check=True)
    assert floor.tools_cpu() > tools


def test_local_runs_drop_the_rate_limiter_and_cluster_runs_keep_it():
    limiter = object()
    local = SimpleNamespace(local_exec=True, scheduler=SimpleNamespace(job_rate_limiter=limiter))
    cluster = SimpleNamespace(local_exec=False, scheduler=SimpleNamespace(job_rate_limiter=limiter))
    assert drop_local_rate_limiter(local) and local.scheduler.job_rate_limiter is None
    assert not drop_local_rate_limiter(cluster) and cluster.scheduler.job_rate_limiter is limiter


@pytest.mark.slow
def test_no_text_or_file_name_of_the_user_reaches_a_shell(workflow):
    """A narration and an image file name written to break out of a shell line: the jobs'
    shell lines hold neither, and the image and speech are made from them as written."""
    name = "it's $(touch PWNED) `touch PWNED2`.png"
    channel = workflow.root / "channels/momentum_mindset"
    Image.new("RGB", (1080, 1920), (200, 40, 40)).save(channel / name)
    text = "Quotes \" and ' and $(touch PWNED3); touch PWNED4 # are just words."
    (channel / "videos/quoted.yaml").write_text(
        "title: Quoted\nsegments:\n"
        f"  - id: one\n    text: {json.dumps(text)}\n    image: {json.dumps(name)}\n"
    )
    segment = "results/momentum_mindset/quoted/one"
    targets = [f"{segment}/image.png", f"{segment}/words.json"]
    planned = workflow.run("-n", "-p", *targets).stdout
    assert "snakereel.run image" in planned and "snakereel.run tts" in planned
    assert "touch" not in planned and "PWNED" not in planned
    workflow.run(*targets)
    assert not list(workflow.root.rglob("PWNED*"))
    words = json.loads((workflow.root / segment / "words.json").read_text())
    assert [w["word"] for w in words][-3:] == ["are", "just", "words."]
    with Image.open(workflow.root / segment / "image.png") as image:
        assert image.convert("RGB").getpixel((540, 960)) == (200, 40, 40)


@pytest.mark.slow
def test_a_local_run_schedules_without_the_rate_limiter(tmp_path):
    """Against the real Snakemake: the Snakefile's onstart finds the attribute it drops."""
    handler = (
        f"import sys\nsys.path.insert(0, {str(REPO / 'src')!r})\n"
        "from snakereel.exit import drop_local_rate_limiter\n"
        "onstart:\n    open('dropped.txt', 'w').write(str(drop_local_rate_limiter(workflow)))\n"
    )
    rules = "".join(
        f'rule r{i}:\n    output: "r{i}.txt"\n    shell: "touch {{output}}"\n' for i in range(3)
    )
    (tmp_path / "Snakefile").write_text(
        handler + 'rule all:\n    input: ["r0.txt", "r1.txt", "r2.txt"]\n' + rules
    )
    command = [sys.executable, "-m", "snakemake", "--cores", "1", "-q", "-d", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "dropped.txt").read_text().strip() == "True"
    assert all((tmp_path / f"r{i}.txt").exists() for i in range(3))
