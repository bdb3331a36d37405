"""Snakemake's job rate limiter, kept from costing local runs time and CPU.

The limiter (`--max-jobs-per-timespan`, 100/1s by default) arms a one-second
`threading.Timer` after every scheduling round, and each timer wakes the scheduler for
another round that arms another: a local build ran ~15 rounds per job (687 for 45 jobs),
each walking the ready jobs, about a fifth of Snakemake's own CPU. It throttles
submissions to a cluster; on one machine the cores already do, so local runs drop it and
the scheduler wakes only when a job ends. The timers are also not daemon threads: after
the last job Python waited up to a second for the last one before it exited.
"""

from __future__ import annotations

import threading


def drop_local_rate_limiter(workflow) -> bool:
    """In `onstart`: a local run schedules on job events only. False when left as it was
    (a cluster run, or a Snakemake whose scheduler has no such attribute)."""
    scheduler = getattr(workflow, "scheduler", None)
    if not workflow.local_exec or getattr(scheduler, "job_rate_limiter", None) is None:
        return False
    scheduler.job_rate_limiter = None
    return True


def cancel_pending_timers() -> int:
    """Cancel every timer thread still waiting; returns how many there were."""
    timers = [t for t in threading.enumerate() if isinstance(t, threading.Timer)]
    for timer in timers:
        timer.cancel()
    return len(timers)
