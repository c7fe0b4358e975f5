"""A throwaway anvil for benchmarks: started on a free port, connected by URL, stopped afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tinyhops.chain import devchain
from tinyhops.paths import state_dir


@contextmanager
def ephemeral_chain(steps_tracing: bool = False) -> Iterator[Any]:
    """Yield an Ape provider connected to a fresh anvil that lives as long as the block; with
    `steps_tracing`, one that answers debug_traceTransaction with opcode traces (tinyhops.bench.gas_breakdown)."""
    from ape import networks

    port = devchain.free_port()
    extra = ("--steps-tracing",) if steps_tracing else ()
    process = devchain.start(port, state_dir() / "bench-anvil.log", extra=extra)
    try:
        with networks.parse_network_choice(f"http://127.0.0.1:{port}") as provider:
            yield provider
    finally:
        devchain.stop(process)
