"""Time validate + normalize + encode on large workflows (run by `ape run bench_spec`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tinyhops import spec
from tinyhops.encoding.submit_arguments import calldata_arguments
from tinyhops.testing import shapes

SIZES = (100, 1_000, 10_000)


def time_pipeline(document: dict[str, Any], repeats: int = 3) -> tuple[float, int]:
    """Best of `repeats` wall-clock seconds for validate -> normalize -> encode, and the calldata size."""
    best = float("inf")
    size = 0
    for _ in range(repeats):
        start = time.perf_counter()
        workflow = spec.from_document(document)
        size = len(calldata_arguments(workflow))
        best = min(best, time.perf_counter() - start)
    return best, size


def run(sizes: tuple[int, ...] = SIZES, echo: Callable[[str], None] = print) -> list[dict[str, Any]]:
    rows = []
    echo(f"{'shape':<10} {'steps':>7} {'seconds':>9} {'us/step':>9} {'calldata bytes':>15}")
    for name, make in (("chain", shapes.chain), ("random", shapes.random_dag)):
        for n in sizes:
            seconds, size = time_pipeline(make(n))
            rows.append({"shape": name, "steps": n, "seconds": seconds, "calldata_bytes": size})
            echo(f"{name:<10} {n:>7} {seconds:>9.3f} {seconds / n * 1e6:>9.1f} {size:>15,}")
    return rows
