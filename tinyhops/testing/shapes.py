"""Workflow documents of standard shapes, for benchmarks and load tests: chains, fan-outs, random DAGs."""

from __future__ import annotations

import random
from typing import Any

VERSION = "v0.0.1"


def _step(step_id: int, params: str, needs: list[int] | None, cost: str) -> dict[str, Any]:
    step: dict[str, Any] = {
        "stepId": str(step_id),
        "stepModule": {"cmd": "cowsay:v0.0.1", "params": params, "cost": cost},
    }
    if needs is not None:
        step["needs"] = [str(n) for n in needs]
    return step


def chain(length: int, cost: str = "1") -> dict[str, Any]:
    """Step i+1 reads step i's result."""
    steps = [_step(1, "start of the chain", None, cost)]
    steps += [_step(i, f"after {{{{stepId:{i - 1}}}}}", None, cost) for i in range(2, length + 1)]
    return {"version": VERSION, "name": f"chain-{length}", "steps": steps}


def fan_out(width: int, cost: str = "1", join_references: int = 32) -> dict[str, Any]:
    """One root, `width` parallel steps reading it, one join reading them all (1 -> width -> 1); the join's
    params cite the first `join_references` branches (32 is the registry's most)."""
    middle = [_step(i, f"branch {i} of {{{{stepId:1}}}}", None, cost) for i in range(2, width + 2)]
    cited = range(2, min(width, join_references) + 2)
    join_params = "join " + " ".join(f"{{{{stepId:{i}}}}}" for i in cited)
    return {
        "version": VERSION,
        "name": f"fan-1-{width}-1",
        "steps": [_step(1, "root", None, cost), middle, _step(width + 2, join_params, None, cost)],
    }


def fan(width: int, cost: str = "1") -> dict[str, Any]:
    """One root and `width` steps reading it (1 -> width), no join."""
    middle = [_step(i, f"branch {i} of {{{{stepId:1}}}}", None, cost) for i in range(2, width + 2)]
    return {"version": VERSION, "name": f"fan-1-{width}", "steps": [_step(1, "root", None, cost), middle]}


def random_dag(size: int, seed: int = 0, max_parents: int = 3, cost: str = "1") -> dict[str, Any]:
    """A random DAG written with `needs`, steps shuffled in the file (order must not matter)."""
    rng = random.Random(seed)
    steps = []
    for i in range(1, size + 1):
        parents = sorted(rng.sample(range(1, i), min(i - 1, rng.randint(0, max_parents))))
        refs = "".join(f" {{{{stepId:{p}}}}}" for p in parents[:2])
        steps.append(_step(i, f'step {i}{refs} {{"json": [1, 2]}}', parents, cost))
    rng.shuffle(steps)
    return {"version": VERSION, "name": f"random-{size}", "steps": [steps]}
