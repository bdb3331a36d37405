"""Snakemake's scheduler timers are cancelled when the workflow ends, so Python exits at once."""

import subprocess
import sys
import threading
import time

from snakereel.exit import cancel_pending_timers

from .conftest import REPO


def test_pending_timers_are_cancelled():
    fired = []
    timer = threading.Timer(30, fired.append, args=[1])
    timer.start()
    assert cancel_pending_timers() >= 1
    timer.join(timeout=5)
    assert not timer.is_alive() and not fired


def test_a_workflow_with_a_job_exits_without_waiting(tmp_path):
    """A one-job workflow with the Snakefile's onsuccess: the process ends well under the
    1 s timer (measured against the same workflow without the handler, same run)."""
    rule = 'rule a:\n    output: "a.txt"\n    shell: "touch {output}"\n'
    handler = (
        f"import sys\nsys.path.insert(0, {str(REPO / 'src')!r})\n"
        "from snakereel.exit import cancel_pending_timers\n"
        "onsuccess:\n    cancel_pending_timers()\n"
    )
    waits = {}
    for name, text in {"plain": rule, "handled": handler + rule}.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "Snakefile").write_text(text)
        command = [sys.executable, "-m", "snakemake", "--cores", "1", "-q", "-d", str(folder)]
        done = subprocess.run(command, capture_output=True, text=True, cwd=folder)
        assert done.returncode == 0, done.stderr
        finished = (folder / "a.txt").stat().st_mtime
        waits[name] = time.time() - finished  # from the job's end to the process's end
    assert waits["handled"] < waits["plain"], waits
