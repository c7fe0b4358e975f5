"""The cyclic garbage collector paused while a workflow's many small objects are built.

Normalizing and encoding 10,000 steps allocates a few hundred thousand tuples, dicts and dataclasses, none of
them in a reference cycle. Each 700 allocations start a collection that finds nothing to free, and the older
generations' collections walk every object the process holds: under Ape, whose heap is large, that was a third
of the spec pipeline's time. Reference counting still frees everything as usual; the collector runs again as
soon as the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block, if it was enabled (nested or concurrent uses are safe: the
    one that disabled it enables it again)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
