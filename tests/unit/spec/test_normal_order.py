"""The normalized order is the one the format promises: dependencies first and, among steps ready together, the
one written first in the file first. The reference below is the standard library's sorter with a heap over file
order (what the spec reader used before it ordered steps itself); the reader must give the same order."""

from __future__ import annotations

import graphlib
import heapq
from typing import Any

from hypothesis import HealthCheck, given, settings
from strategies import GeneratedWorkflow, workflows

from tinyhops import spec


def _file_order(document: dict[str, Any]) -> dict[int, int]:
    steps = []
    for entry in document["steps"]:
        steps.extend(entry if isinstance(entry, list) else [entry])
    return {int(step["stepId"]): index for index, step in enumerate(steps)}


def _reference_order(deps: dict[int, set[int]], file_order: dict[int, int]) -> list[int]:
    sorter = graphlib.TopologicalSorter(deps)
    sorter.prepare()
    ready: list[tuple[int, int]] = []
    order = []
    while sorter.is_active():
        for node in sorter.get_ready():
            heapq.heappush(ready, (file_order[node], node))
        _, node = heapq.heappop(ready)
        order.append(node)
        sorter.done(node)
    return order


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workflows)
def test_ready_steps_come_in_file_order(generated: GeneratedWorkflow) -> None:
    order = [step.step_id for step in spec.load(generated.document).steps]
    assert order == _reference_order(generated.deps, _file_order(generated.document))


def test_a_fan_out_lists_its_branches_as_written() -> None:
    document = {
        "version": "v0.0.1",
        "steps": [
            {"stepId": "9", "needs": [], "stepModule": {"cmd": "cowsay:v0.0.1", "params": "root", "cost": "1"}},
            *(
                {"stepId": str(i), "needs": ["9"], "stepModule": {"cmd": "cowsay:v0.0.1", "params": "", "cost": "1"}}
                for i in (5, 3, 7)
            ),
        ],
    }
    assert [step.step_id for step in spec.load(document).steps] == [9, 5, 3, 7]
