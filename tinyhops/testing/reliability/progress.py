"""Waiting on a run that makes progress, however slowly: a wait that follows the chain and the provider's log
instead of the wall clock, so a loaded machine makes a test slower, never failed."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

# How long a run may show no progress at all before a wait gives up on it: far longer than any one step of
# work takes, even on a loaded 2-core machine.
STALL_SECONDS = 180.0


def wait_while_progressing(
    done: Callable[[], bool],
    progress: Callable[[], Hashable],
    stall_seconds: float = STALL_SECONDS,
    poll_seconds: float = 0.25,
    alive: Callable[[], bool] | None = None,
) -> bool:
    """Wait until `done()`. `progress()` is a mark of the run's progress (a block number, a count of log
    lines): the wait gives up only after `stall_seconds` in which the mark did not change, or when `alive()`
    says the run is over. Returns whether `done()` held."""
    mark, since = progress(), time.monotonic()
    while not done():
        if alive is not None and not alive():
            return done()
        time.sleep(poll_seconds)
        now = progress()
        if now != mark:
            mark, since = now, time.monotonic()
        elif time.monotonic() - since > stall_seconds:
            return done()
    return True
