"""Building blocks for the contract tests: workflows, raw step definitions, exact reverts, fund checks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import ape
from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address
from web3.exceptions import ContractCustomError

from tinyhops import encoding, spec
from tinyhops.chain.registry_client import StepStatus, WorkflowStatus
from tinyhops.encoding import StepDefinition
from tinyhops.provider.cids import cid_of

ETHER = 10**18
COWSAY = "cowsay:v0.0.1"  # costs 1 ether on the LocalLilypad fixture
SDXL = "sdxl:v0.9-lilypad1"  # costs 4 ether


# The registry's enums, as the client package mirrors them.
Status = WorkflowStatus


def step(
    step_id: int,
    *,
    needs: Sequence[int] = (),
    params: str = "hello",
    cost: str = "1",
    module: str = COWSAY,
    retries: int = 0,
    timeout: int = 0,
    cacheable: bool | None = None,
) -> dict[str, Any]:
    """One step of a workflow document, with explicit `needs` (so no level dependencies are implied)."""
    document: dict[str, Any] = {
        "stepId": str(step_id),
        "needs": [str(n) for n in needs],
        "stepModule": {"cmd": module, "params": params, "cost": cost},
    }
    if retries:
        document["retries"] = retries
    if timeout:
        document["timeout"] = timeout
    if cacheable is not None:
        document["cacheable"] = cacheable
    return document


def workflow(*steps: dict[str, Any]) -> spec.Workflow:
    """A validated workflow from `step(...)` documents, kept in the order written when that is topological."""
    return spec.load({"version": "v0.0.1", "steps": [list(steps)]})


def arguments(definitions: Sequence[StepDefinition] | spec.Workflow) -> list[tuple[Any, ...]]:
    """The `steps` argument of `submit`, from a workflow or from raw definitions."""
    if isinstance(definitions, spec.Workflow):
        definitions = encoding.encode(definitions)
    return [tuple(d) for d in definitions]


def text(data: str | bytes) -> bytes:
    """A params text segment."""
    raw = data.encode() if isinstance(data, str) else data
    return len(raw).to_bytes(2, "big") + raw


def ref(position: int) -> bytes:
    """A params reference segment to the result of the step at `position`."""
    return (0x8000 | position).to_bytes(2, "big")


def definition(
    step_id: int = 1,
    *,
    cost: int = ETHER,
    timeout: int = 0,
    retries: int = 0,
    needs: Sequence[int] = (),
    module: str = COWSAY,
    params: bytes = text("hello"),
    cacheable: bool = False,
) -> StepDefinition:
    """A raw StepDefinition, valid unless an argument makes it otherwise."""
    return StepDefinition(step_id, cost, timeout, retries, list(needs), module, params, cacheable)


def chain_of(count: int, **overrides: Any) -> list[StepDefinition]:
    """`count` raw steps, each needing the one before it."""
    return [definition(i + 1, needs=[i - 1] if i else [], **overrides) for i in range(count)]


def _expected(value: Any) -> Any:
    return getattr(value, "address", value)


def selector(error: Any) -> bytes:
    """The 4-byte selector of a custom error class, as found at the start of its revert data."""
    return keccak(text=error.abi.selector)[:4]


def _decode(error: Any, data: bytes) -> dict[str, Any] | None:
    """The inputs of `error` decoded from raw revert data; None if the data is another error."""
    if data[:4] != selector(error):
        return None
    types = [parameter.canonical_type for parameter in error.abi.inputs]
    values = abi_decode(types, data[4:])
    return {
        parameter.name: to_checksum_address(value) if kind == "address" else value
        for parameter, kind, value in zip(error.abi.inputs, types, values, strict=True)
    }


def _check(error: Any, actual: dict[str, Any] | None, inputs: dict[str, Any], got: Any) -> None:
    expected = {name: _expected(value) for name, value in inputs.items()}
    assert actual is not None, f"expected {error.__name__}, got {got!r}"
    assert actual == expected, f"{error.__name__}{actual} != {expected}"


@contextmanager
def reverts(error: Any, **inputs: Any) -> Iterator[Any]:
    """`ape.reverts` for exactly this custom error with exactly these inputs (all of them, in any order).

    Ape itself checks only the inputs named, and lets any revert pass when it could not decode the error
    (as for an error raised by a contract other than the one called).
    """
    with ape.reverts() as info:
        yield info
    _check(error, _inputs_of(error, info.value), inputs, info.value)


def _inputs_of(error: Any, exception: Any) -> dict[str, Any] | None:
    if isinstance(exception, error):
        return dict(exception.inputs)
    # An error bubbling up from a contract other than the one called: Ape leaves it as raw revert data.
    message = str(exception.revert_message)
    if re.fullmatch(r"0x([0-9a-fA-F]{2})+", message):
        return _decode(error, bytes.fromhex(message[2:]))
    return None


def view_reverts(error: Any, view: Any, *args: Any, **inputs: Any) -> None:
    """A view call reverts with exactly this custom error and inputs.

    Ape does not decode the custom errors of reverting calls (only of transactions), so the call goes
    through web3 to keep the raw revert data.
    """
    try:
        ape.chain.provider.web3.eth.call({"to": view.contract.address, "data": view.encode_input(*args)})
    except ContractCustomError as exc:
        _check(error, _decode(error, bytes.fromhex(str(exc.data)[2:])), inputs, exc)
    else:
        raise AssertionError(f"{view} did not revert")


def fees_of(outcome: Any) -> int:
    """Wei a transaction paid for gas, from its receipt or from the revert info of a failed one."""
    if hasattr(outcome, "total_fees_paid"):
        return outcome.total_fees_paid
    return ape.chain.get_receipt(outcome.value.txn.txn_hash.hex()).total_fees_paid


def logs(event: Any, receipt: Any) -> list[Any]:
    """The logs of one event type in a receipt."""
    return list(event.from_receipt(receipt))


def registry_events(registry: Any, receipt: Any) -> list[str]:
    """Names of the registry's events in a receipt, in order."""
    return [log.event_name for log in receipt.events if log.contract_address == registry.address]


def assert_solvent(registry: Any) -> None:
    """The registry holds exactly every live escrow plus every owner's refundable balance, and in ether
    every gas deposit left plus every gas balance (keepers' and owners')."""
    count = registry.workflowCount()
    summaries = [registry.getWorkflow(i) for i in range(1, count + 1)]
    escrow = sum(s.balance for s in summaries)
    refundable = sum(registry.refundableOf(owner) for owner in {s.owner for s in summaries})
    holders = {s.owner for s in summaries} | {a.address for a in ape.accounts.test_accounts}
    gas = sum(registry.keeperAccountOf(i).gasDeposit for i in range(1, count + 1))
    gas += sum(registry.gasBalanceOf(holder) for holder in holders)
    assert registry.balance == escrow + refundable + gas
    for s in summaries:
        if s.status not in (Status.RUNNING, Status.PAUSED):
            assert s.balance == 0


def job_of(registry: Any, workflow_id: int, step_index: int) -> int:
    """The Lilypad job id of a step's latest attempt."""
    return registry.getStep(workflow_id, step_index).jobId


def run_to_end(driver: Any, workflow_id: int, results: dict[int, str] | None = None) -> list[Any]:
    """Answer every job (the step at position i with `results[i]` if given) and advance until the end.

    Returns every receipt, deliveries and advances alike.
    """
    registry, results = driver.registry, results or {}
    receipts = []
    for _ in range(1000):
        summary = registry.getWorkflow(workflow_id)
        if summary.status not in (Status.RUNNING, Status.PAUSED):
            return receipts
        in_flight = [
            (index, s.jobId)
            for index, s in enumerate(registry.getSteps(workflow_id))
            if s.status == StepStatus.DISPATCHED and s.jobId in driver.pending
        ]
        if in_flight:
            index, job_id = in_flight[0]
            receipts.append(driver.answer(job_id, results.get(index)))
        elif summary.queuedCount:
            receipts.append(driver.advance(workflow_id))
        else:
            raise AssertionError(f"workflow {workflow_id} is stuck: nothing in flight, nothing queued")
    raise AssertionError(f"workflow {workflow_id} did not end")


REVERTED = "reverted"


def outcome_with_gas(
    chain: Any, registry: Any, sender: Any, call: Any, *args: Any, bad_event: str = "StepFailed"
) -> Callable[[int], str]:
    """Whether `call(*args)` sent with a given gas limit reverts, emits `bad_event`, or goes well.

    Each try is rolled back. Sent through web3 rather than Ape, which would fetch and print the trace of
    every failed try.
    """
    web3 = chain.provider.web3
    bad_topic = keccak(text=getattr(registry, bad_event).abi.selector)
    target = call.contract.address

    def outcome(gas_limit: int) -> str:
        snapshot = chain.snapshot()
        try:
            transaction = {"from": sender.address, "to": target, "data": call.encode_input(*args), "gas": gas_limit}
            receipt = web3.eth.wait_for_transaction_receipt(web3.eth.send_transaction(transaction), poll_latency=0.01)
        finally:
            chain.restore(snapshot)
        if receipt.status == 0:
            return REVERTED
        topics = [log.topics[0] for log in receipt.logs if log.address == registry.address]
        return bad_event if bad_topic in topics else "ok"

    return outcome


def least_gas_that_does_not_revert(outcome: Callable[[int], str], low: int, high: int, precision: int = 1) -> int:
    """Bisect for the smallest gas limit the call survives; a step failed by starvation would show there."""
    assert outcome(low) == REVERTED and outcome(high) != REVERTED
    while high - low > precision:
        middle = (low + high) // 2
        if outcome(middle) == REVERTED:
            low = middle
        else:
            high = middle
    return high


def label(name: str) -> str:
    """A real CID standing for a result called `name` in a test (a job's answer must be a CID)."""
    return cid_of(name.encode())
