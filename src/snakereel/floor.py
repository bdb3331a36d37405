"""The floor of a job: CPU seconds of the work itself, apart from start-up and bookkeeping.

Work is what a job exists for: the tools it runs (ffmpeg, ffprobe: every child process a
job waits for), speech synthesis (model inference, in the job or in the speech server on
its behalf) and image drawing. Everything else a job spends (the interpreter, imports,
reading specs, logging) is overhead; `bench/build.py` sets the two side by side.
"""

from __future__ import annotations

import resource
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

# CPU seconds of in-process work (drawing, synthesis) and the server's, per thread: the
# speech server answers several jobs at once and tells each its own.
_counted: dict[int, float] = {}


def process_cpu() -> float:
    """CPU seconds of this process and of the child processes it waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime + tools_cpu()


def tools_cpu() -> float:
    """CPU seconds of the child processes this process waited for (ffmpeg, ffprobe)."""
    tools = resource.getrusage(resource.RUSAGE_CHILDREN)
    return tools.ru_utime + tools.ru_stime


@contextmanager
def work() -> Iterator[None]:
    """Counts the CPU time of the calling thread inside the block as work."""
    start = time.thread_time()
    try:
        yield
    finally:
        add(time.thread_time() - start)


def add(seconds: float) -> None:
    """Work done on this job's behalf elsewhere (the speech server's synthesis)."""
    thread = threading.get_ident()
    _counted[thread] = _counted.get(thread, 0.0) + seconds


def counted_in_thread() -> float:
    return _counted.get(threading.get_ident(), 0.0)


def seconds() -> float:
    """The job's floor so far."""
    return tools_cpu() + sum(_counted.values())
