"""A normalized workflow as the exact arguments of `IWorkflowRegistry.submit(StepDefinition[])`, and back.

The struct array is flat (`tuple[]`, each with a `uint16[]` of dependency positions): Ape's ABI layer
has been seen to mishandle nested tuple arrays, and a flat array is also what third-party contracts
build most easily. Positions, not ids, link steps; every dependency precedes its step, so the chain
gets an acyclic graph by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode

from tinyhops.encoding import params_segments
from tinyhops.errors import EncodingError
from tinyhops.spec.model import Step, Workflow

STEP_DEFINITION_TYPE = "(uint64,uint96,uint32,uint8,uint16[],string,bytes)"
SUBMIT_ARGUMENT_TYPE = f"{STEP_DEFINITION_TYPE}[]"


class StepDefinition(NamedTuple):
    """Mirror of `IWorkflowRegistry.StepDefinition`, field for field."""

    stepId: int
    cost: int
    timeout: int
    retries: int
    needs: list[int]
    module: str
    params: bytes


def encode(workflow: Workflow) -> list[StepDefinition]:
    """The `steps` argument of `submit`, in the workflow's topological order."""
    position = {step.step_id: index for index, step in enumerate(workflow.steps)}
    return [
        StepDefinition(
            stepId=step.step_id,
            cost=step.cost_wei,
            timeout=step.timeout,
            retries=step.retries,
            needs=[position[n] for n in step.needs],
            module=step.module,
            params=params_segments.encode(step.params, position.__getitem__),
        )
        for step in workflow.steps
    ]


def decode(definitions: Sequence[Sequence[object]]) -> Workflow:
    """Rebuild the workflow from submit arguments (as encoded, or as read back through an ABI)."""
    rows = [StepDefinition(*row) for row in definitions]
    ids = [int(row.stepId) for row in rows]

    def id_at(position: int) -> int:
        if not 0 <= position < len(ids):
            raise EncodingError(f"reference to step position {position}, but there are {len(ids)} steps")
        return ids[position]

    steps = []
    for row in rows:
        segments = params_segments.decode(bytes(row.params), id_at)
        steps.append(
            Step(
                step_id=int(row.stepId),
                module=str(row.module),
                params=segments,
                cost_wei=int(row.cost),
                needs=tuple(id_at(int(p)) for p in row.needs),
                timeout=int(row.timeout),
                retries=int(row.retries),
            )
        )
    return Workflow(steps=tuple(steps))


def calldata_arguments(workflow: Workflow) -> bytes:
    """The ABI-encoded arguments of `submit` (the calldata after the 4-byte selector)."""
    return abi_encode([SUBMIT_ARGUMENT_TYPE], [[tuple(d) for d in encode(workflow)]])


def decode_calldata_arguments(data: bytes) -> Workflow:
    (rows,) = abi_decode([SUBMIT_ARGUMENT_TYPE], data)
    return decode(rows)
