"""A faster exit for Snakemake runs that ran jobs.

Snakemake's job rate limiter (`--max-jobs-per-timespan`, 100/1s by default) arms a
`threading.Timer` of one second after every scheduling round. Those timers are not daemon
threads, so after the last job Python waits for the last of them before it exits: up to
1 s on every build that runs a job, a sixth of a one-sentence edit. Once the workflow has
finished (onsuccess/onerror) no round is left to schedule, so they can be cancelled.
"""

from __future__ import annotations

import threading


def cancel_pending_timers() -> int:
    """Cancel every timer thread still waiting; returns how many there were."""
    timers = [t for t in threading.enumerate() if isinstance(t, threading.Timer)]
    for timer in timers:
        timer.cancel()
    return len(timers)
