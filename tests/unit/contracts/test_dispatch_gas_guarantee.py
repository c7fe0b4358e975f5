"""Finding 1 of the hardening review, as the attack: no gas limit chosen by a caller can fail someone's step.

The attack: a Lilypad whose job submission nests a call that burns about a million gas (GasHungryLilypad,
with the registry deployed to give each dispatch 1.7M, a little more than it needs), and a step whose params
are expensive to resolve (a join of MAX_REFERENCES results, each a CIDv0, plus long text). The registry used
to check the dispatch's gas before resolving the params: a gas limit just above that check left Lilypad's
inner call starved, the step failed with "dispatch reverted" and the workflow with it, and `eth_estimateGas`
fell in that window (the delivery sweep below fails the join on that registry). Now the check is made at the
call site, after resolving, and the call gets an explicit amount.

Every caller's gas limit is swept from below the least that does not revert upward: `advance`, `expire`,
`resume` and a result delivery. None may ever fail the step; `advance`, `expire` and `resume` revert or
dispatch, and once they dispatch they do at every higher limit (success is monotonic in the gas limit); the
estimate always dispatches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import base58
import pytest
from contract_helpers import (
    ETHER,
    REVERTED,
    Status,
    StepStatus,
    arguments,
    definition,
    least_gas_that_does_not_revert,
    ref,
    text,
)
from eth_utils import keccak

from tinyhops.chain.deploy import deploy_registry
from tinyhops.spec.limits import MAX_REFERENCES
from tinyhops.testing.reliability.record import profile

DISPATCH_GAS = 1_700_000  # a little more than GasHungryLilypad needs (its nested call burns over a million)
ROOTS = MAX_REFERENCES
TIMEOUT = 60
# Gas between two tries of a sweep, near the least that does not revert and beyond; TINYHOPS_SOAK=1 sweeps
# the whole range in 10,000-gas steps.
FINE_STEP = profile(25_000, 10_000)
SWEEP_STEP = profile(500_000, 10_000)
DISPATCHED, DEFERRED, FAILED = "dispatched", "deferred", "failed"


def cid_v0(seed: str) -> str:
    return base58.b58encode(b"\x12\x20" + hashlib.sha256(seed.encode()).digest()).decode()


@dataclass
class Join:
    """ROOTS roots and a join J that refers to every root's result, on a gas-hungry Lilypad."""

    chain: Any
    registry: Any
    backend: Any
    as_lilypad: Any
    workflow_id: int
    keeper: Any
    owner: Any

    @property
    def join(self) -> int:
        return ROOTS

    def job(self, index: int) -> int:
        return self.registry.getStep(self.workflow_id, index).jobId

    def deliver(self, index: int, gas: int = 12_000_000) -> Any:
        return self.backend.receiveJobResults(
            self.job(index), cid_v0(f"root {index}"), sender=self.as_lilypad, gas_limit=gas
        )

    def outcome(self, sender: Any, call: Any, *args: Any) -> Callable[[int], str]:
        """What `call(*args)` from `sender` does with a given gas limit, rolled back: reverted, or what became
        of J (dispatched, deferred, failed), or "ok" when none of that happened to it."""
        web3 = self.chain.provider.web3
        topics = {
            keccak(text=getattr(self.registry, name).abi.selector): name
            for name in ("StepDispatched", "StepDeferred", "StepFailed", "WorkflowFailed")
        }

        def outcome(gas_limit: int) -> str:
            snapshot = self.chain.snapshot()
            try:
                tx = {"from": sender.address, "to": call.contract.address, "data": call.encode_input(*args)}
                tx["gas"] = gas_limit
                receipt = web3.eth.wait_for_transaction_receipt(web3.eth.send_transaction(tx), poll_latency=0.01)
            finally:
                self.chain.restore(snapshot)
            if receipt.status == 0:
                return REVERTED
            ours = [log for log in receipt.logs if log.address == self.registry.address]
            names = [topics.get(log.topics[0]) for log in ours]
            failures = [log for log, name in zip(ours, names, strict=True) if name == "StepFailed"]
            if "WorkflowFailed" in names or any(b"dispatch reverted" in bytes(log.data) for log in failures):
                return FAILED
            if "StepDispatched" in names:
                return DISPATCHED
            return DEFERRED if "StepDeferred" in names else "ok"

        return outcome

    def estimate(self, sender: Any, call: Any, *args: Any) -> int:
        tx = {"from": sender.address, "to": call.contract.address, "data": call.encode_input(*args)}
        return int(self.chain.provider.web3.eth.estimate_gas(tx))


def least_not_reverting(outcome: Callable[[int], str], low: int, high: int) -> int:
    return least_gas_that_does_not_revert(outcome, low, high, precision=5_000)


def sweep(outcome: Callable[[int], str], least: int, span: int = 5_000_000) -> list[tuple[int, str]]:
    """Outcomes from a little below `least` upward: in FINE_STEP steps just above it (where a starved
    dispatch used to be), then every SWEEP_STEP up to `span` more; none may fail the step."""
    fine = range(max(least - 2 * FINE_STEP, 60_000), least + 300_000, FINE_STEP)
    coarse = range(least, least + span, SWEEP_STEP)
    seen = [(gas, outcome(gas)) for gas in sorted({*fine, *coarse})]
    assert FAILED not in {o for _, o in seen}, seen
    return seen


def assert_monotonic(seen: list[tuple[int, str]]) -> None:
    """Reverted below some limit, dispatched at and above it: more gas never does less."""
    outcomes = [o for _, o in seen]
    first = outcomes.index(DISPATCHED)
    assert set(outcomes[:first]) == {REVERTED}, seen
    assert set(outcomes[first:]) == {DISPATCHED}, seen


@pytest.fixture(scope="module")
def built(project: Any, chain: Any, accounts: Any) -> Iterator[Join]:
    """The join workflow, built once for the module: every root dispatched, all but the last answered."""
    deployer, user, keeper = accounts[0], accounts[1], accounts[4]
    outer = chain.snapshot()
    hungry = deployer.deploy(project.GasHungryLilypad)
    stack = deploy_registry(project, deployer, hungry, dispatch_gas=DISPATCH_GAS)
    registry = stack.registry
    as_lilypad = accounts[hungry.address]
    as_lilypad.balance += 10 * ETHER
    roots = [definition(i + 1, cost=1, module="hungry:v1") for i in range(ROOTS)]
    template = b"".join(text("x" * 200) + ref(i) for i in range(ROOTS)) + text("y" * 1000)
    join_step = definition(
        ROOTS + 1, cost=1, module="hungry:v1", needs=range(ROOTS), params=template, timeout=TIMEOUT, retries=3
    )
    registry.submit(arguments([*roots, join_step]), sender=user, value=4 * (ROOTS + 1), gas_limit=20_000_000)
    workflow_id = registry.workflowCount()
    while registry.getWorkflow(workflow_id).queuedCount:
        registry.advance(workflow_id, 4, sender=keeper, gas_limit=20_000_000)
    harness = Join(chain, registry, stack.registry, as_lilypad, workflow_id, keeper, user)
    for index in range(ROOTS - 1):
        harness.deliver(index)
    yield harness
    chain.restore(outer)


@pytest.fixture
def join(built: Join) -> Iterator[Join]:
    # Not `chain.isolate()`: in eth-ape 0.8.51 it swallows every exception raised inside it.
    snapshot = built.chain.snapshot()
    try:
        yield built
    finally:
        built.chain.restore(snapshot)


def test_attack_dispatch_gas_bypass_no_delivery_gas_limit_fails_the_join(join: Join) -> None:
    """The last root's result makes the join ready: whatever gas Lilypad calls back with, the result is
    recorded or the call reverts; the join is dispatched or left queued, never failed."""
    call = join.backend.receiveJobResults
    outcome = join.outcome(join.as_lilypad, call, join.job(ROOTS - 1), cid_v0(f"root {ROOTS - 1}"))
    least = least_not_reverting(outcome, 25_000, 12_000_000)
    seen = sweep(outcome, least)
    assert {o for _, o in seen} <= {REVERTED, DEFERRED, DISPATCHED}
    assert seen[-1][1] == DISPATCHED  # with room for it, the delivery dispatches the join itself


def test_attack_dispatch_gas_bypass_no_advance_gas_limit_fails_the_join(join: Join) -> None:
    # Lilypad calls back with the least gas that records the result: the join waits in the queue.
    call = join.backend.receiveJobResults
    outcome = join.outcome(join.as_lilypad, call, join.job(ROOTS - 1), cid_v0(f"root {ROOTS - 1}"))
    least = least_not_reverting(outcome, 25_000, 12_000_000)
    assert outcome(least) == DEFERRED
    join.deliver(ROOTS - 1, gas=least)
    assert join.registry.getStep(join.workflow_id, join.join).status == StepStatus.READY

    advance = join.registry.advance
    outcome = join.outcome(join.keeper, advance, join.workflow_id, 1)
    seen = sweep(outcome, least_not_reverting(outcome, 100_000, 12_000_000))
    assert_monotonic(seen)
    estimate = join.estimate(join.keeper, advance, join.workflow_id, 1)
    assert outcome(estimate) == DISPATCHED, estimate


def test_attack_dispatch_gas_bypass_no_expire_or_resume_gas_limit_fails_the_join(join: Join) -> None:
    join.deliver(ROOTS - 1)
    registry, workflow_id = join.registry, join.workflow_id
    assert registry.getStep(workflow_id, join.join).status == StepStatus.DISPATCHED
    join.chain.mine(deltatime=TIMEOUT + 1)

    # expire: the join's retry is dispatched at once, with all its references resolved again.
    outcome = join.outcome(join.keeper, registry.expire, workflow_id, join.join)
    seen = sweep(outcome, least_not_reverting(outcome, 30_000, 12_000_000))
    assert_monotonic(seen)
    estimate = join.estimate(join.keeper, registry.expire, workflow_id, join.join)
    assert outcome(estimate) == DISPATCHED, estimate
    registry.expire(workflow_id, join.join, sender=join.keeper, gas_limit=estimate)
    assert registry.getStep(workflow_id, join.join).attempts == 2

    # resume: expired while paused, the retry waits; resuming dispatches it.
    registry.pause(workflow_id, sender=join.owner)
    join.chain.mine(deltatime=TIMEOUT + 1)
    registry.expire(workflow_id, join.join, sender=join.keeper)
    assert registry.getStep(workflow_id, join.join).status == StepStatus.READY
    outcome = join.outcome(join.owner, registry.resume, workflow_id)
    seen = sweep(outcome, least_not_reverting(outcome, 30_000, 12_000_000))
    assert_monotonic(seen)
    estimate = join.estimate(join.owner, registry.resume, workflow_id)
    assert outcome(estimate) == DISPATCHED, estimate
    assert registry.getWorkflow(workflow_id).status == Status.PAUSED  # every try was rolled back


def test_the_dispatch_gas_view_is_enough_for_the_costliest_dispatch(join: Join) -> None:
    """`dispatchGas` tells a keeper what a dispatch needs: that much on top of the call's own base cost is
    enough for `advance` to dispatch the join, the costliest step there is."""
    call = join.backend.receiveJobResults
    outcome = join.outcome(join.as_lilypad, call, join.job(ROOTS - 1), cid_v0(f"root {ROOTS - 1}"))
    join.deliver(ROOTS - 1, gas=least_not_reverting(outcome, 25_000, 12_000_000))
    call_gas, per_dispatch = join.registry.dispatchGas()
    assert call_gas == DISPATCH_GAS and per_dispatch > DISPATCH_GAS
    advance = join.outcome(join.keeper, join.registry.advance, join.workflow_id, 1)
    assert advance(60_000 + per_dispatch) == DISPATCHED
