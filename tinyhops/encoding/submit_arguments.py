"""A normalized workflow as the exact arguments of `IWorkflowRegistry.submit(StepDefinition[])`, and back.

The struct array is flat (`tuple[]`, each with a `uint16[]` of dependency positions): Ape's ABI layer
has been seen to mishandle nested tuple arrays, and a flat array is also what third-party contracts
build most easily. Positions, not ids, link steps; every dependency precedes its step, so the chain
gets an acyclic graph by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from tinyhops.encoding import params_segments
from tinyhops.errors import EncodingError
from tinyhops.gc_pause import collector_paused
from tinyhops.spec.model import Step, Workflow

STEP_DEFINITION_TYPE = "(uint64,uint96,uint32,uint8,uint16[],string,bytes,bool)"
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
    cacheable: bool = False


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
            cacheable=step.cacheable,
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
                cacheable=bool(row.cacheable),
                cacheable_given=True,
            )
        )
    return Workflow(steps=tuple(steps))


def calldata_arguments(workflow: Workflow) -> bytes:
    """The ABI-encoded arguments of `submit` (the calldata after the 4-byte selector)."""
    with collector_paused():
        return abi_encode_definitions(encode(workflow))


_WIDTHS = (("stepId", 64), ("cost", 96), ("timeout", 32), ("retries", 8))
_HEAD_BYTES = 8 * 32  # four values, three offsets and the cacheable flag


def _word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _padded(data: bytes) -> bytes:
    return _word(len(data)) + data + bytes(-len(data) % 32)


def _tuple_bytes(row: StepDefinition) -> bytes:
    step_id, cost, timeout, retries, needs, module, params, cacheable = row
    if not (0 <= step_id < 1 << 64 and 0 <= cost < 1 << 96 and 0 <= timeout < 1 << 32 and 0 <= retries < 1 << 8):
        for name, bits in _WIDTHS:
            if not 0 <= getattr(row, name) < 1 << bits:
                raise EncodingError(f"step {step_id}: {name} {getattr(row, name)} does not fit uint{bits}")
    if needs and not (min(needs) >= 0 and max(needs) < 1 << 16):
        raise EncodingError(f"step {step_id}: a dependency position does not fit uint16")
    module_bytes = module.encode()
    params_bytes = bytes(params)
    needs_length = 32 * (1 + len(needs))
    module_length = 32 + len(module_bytes) + (-len(module_bytes) % 32)
    # The head: four values, three offsets and the flag, eight words written as one integer.
    head = (
        (step_id << 1792)
        | (cost << 1536)
        | (timeout << 1280)
        | (retries << 1024)
        | (_HEAD_BYTES << 768)
        | ((_HEAD_BYTES + needs_length) << 512)
        | ((_HEAD_BYTES + needs_length + module_length) << 256)
        | (1 if cacheable else 0)
    ).to_bytes(_HEAD_BYTES, "big")
    needs_words = b"".join([need.to_bytes(32, "big") for need in needs])
    return head + _word(len(needs)) + needs_words + _padded(module_bytes) + _padded(params_bytes)


def abi_encode_definitions(definitions: Sequence[StepDefinition]) -> bytes:
    """`eth_abi.encode([SUBMIT_ARGUMENT_TYPE], [definitions])`, byte for byte (a property test checks it), at
    a tenth of the cost: the one ABI type Tiny Hops sends, laid out directly."""
    tuples = [_tuple_bytes(row if type(row) is StepDefinition else StepDefinition(*row)) for row in definitions]
    words = [_word(32), _word(len(tuples))]  # where the array starts, its length, then each tuple's offset
    position = 32 * len(tuples)
    for encoded in tuples:
        words.append(_word(position))
        position += len(encoded)
    return b"".join(words + tuples)


def decode_calldata_arguments(data: bytes) -> Workflow:
    from eth_abi import decode as abi_decode

    (rows,) = abi_decode([SUBMIT_ARGUMENT_TYPE], data)
    return decode(rows)
