"""Pause and cancel in the middle of a run served by the real provider process.

The provider is frozen (SIGSTOP) while the owner acts, so the chain state the owner acts on is known: the
attempt in flight at that moment is answered only after the pause or cancel, when the provider continues.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_processes import ANVIL_KEYS, Finished, tiny_hops

from tinyhops import spec
from tinyhops.chain.accounts import from_private_key
from tinyhops.chain.registry_client import StepStatus, WorkflowStatus
from tinyhops.spec.units import format_wei
from tinyhops.testing.provider_process import ProviderProcess, job_lines
from tinyhops.testing.reliability.progress import wait_while_progressing
from tinyhops.testing.shapes import chain as chain_shape

ETHER = 10**18


def wait_until(condition: Callable[[], bool], what: str, child: ProviderProcess) -> None:
    """Wait for `condition` while the provider makes progress (its log grows)."""
    if not wait_while_progressing(
        condition, lambda: len(child.lines), poll_seconds=0.1, alive=lambda: child.process.poll() is None
    ):
        pytest.fail(f"never saw {what}; provider output:\n{child.output_tail()}")


def frozen_after_jobs(child: ProviderProcess, jobs: int) -> None:
    """Wait until the provider has answered `jobs` jobs, then freeze it mid-run."""
    child.wait_for(lambda lines: len(job_lines(lines)) >= jobs, 60, f"{jobs} job lines")
    child.send(signal.SIGSTOP)


def logs_of(e2e: Any, name: str, workflow_id: int) -> list[Any]:
    return [log for log in e2e.events(e2e.client.registry, name) if log.workflowId == workflow_id]


def test_pause_records_the_in_flight_result_dispatches_nothing_and_resume_dispatches_the_ready(e2e: Any) -> None:
    child = e2e.start_provider()
    workflow_id = e2e.client.submit(spec.load(chain_shape(12)), e2e.user)
    frozen_after_jobs(child, 2)
    try:
        paused = e2e.client.pause(workflow_id, e2e.user)
        at_pause = e2e.client.view(workflow_id)
    finally:
        child.send(signal.SIGCONT)
    assert at_pause.status is WorkflowStatus.PAUSED
    (in_flight,) = [s for s in at_pause.steps if s.status is StepStatus.DISPATCHED]  # a chain: always one
    following = at_pause.steps[in_flight.index + 1]
    assert following.status is StepStatus.WAITING

    registry = e2e.client.registry
    wait_until(
        lambda: registry.getStep(workflow_id, in_flight.index).status == StepStatus.COMPLETED,
        f"step {in_flight.step_id} (in flight at the pause) completing",
        child,
    )
    time.sleep(1.0)  # five more provider polls with keeper duty: a paused workflow must not be advanced
    while_paused = e2e.client.view(workflow_id)
    assert while_paused.status is WorkflowStatus.PAUSED
    # The result is recorded; telling its dependent waits in the work queue until the workflow runs again.
    assert while_paused.in_flight == 0 and while_paused.queued == 1
    assert [s.status for s in while_paused.steps[following.index :]] == [StepStatus.WAITING] * (
        len(at_pause.steps) - following.index
    )
    (completed,) = [log for log in logs_of(e2e, "StepCompleted", workflow_id) if log.block_number > paused.block_number]
    assert completed.stepIndex == in_flight.index and completed.cid == while_paused.steps[in_flight.index].result_cid
    for name in ("StepDispatched", "StepDeferred", "StepFailed"):
        assert not [log for log in logs_of(e2e, name, workflow_id) if log.block_number > paused.block_number], name

    resumed = e2e.client.resume(workflow_id, e2e.user)
    (dispatched,) = registry.StepDispatched.from_receipt(resumed)
    assert (dispatched.workflowId, dispatched.stepIndex, dispatched.attempt) == (workflow_id, following.index, 1)
    assert dispatched.params == f"after {while_paused.steps[in_flight.index].result_cid}"

    view = e2e.wait_final(workflow_id, child)
    assert view.status is WorkflowStatus.COMPLETED, child.output_tail()
    assert all(s.status is StepStatus.COMPLETED and s.attempts == 1 for s in view.steps)
    dispatch_blocks = [log.block_number for log in logs_of(e2e, "StepDispatched", workflow_id)]
    assert len(dispatch_blocks) == len(view.steps)
    assert not [b for b in dispatch_blocks if paused.block_number <= b < resumed.block_number]
    assert not logs_of(e2e, "ResultIgnored", workflow_id)
    assert child.stop() == 0


def two_chains(length: int) -> dict[str, Any]:
    """Steps 1..length and length+1..2*length as two independent chains: usually two attempts in flight."""
    steps = []
    for first in (1, length + 1):
        for step_id in range(first, first + length):
            needs = [] if step_id == first else [str(step_id - 1)]
            params = "go" if step_id == first else f"after {{{{stepId:{step_id - 1}}}}}"
            steps.append(
                {
                    "stepId": str(step_id),
                    "needs": needs,
                    "stepModule": {"cmd": "cowsay:v0.0.1", "params": params, "cost": "1"},
                }
            )
    return {"version": "v0.0.1", "steps": [steps]}


def test_cancel_refunds_deposit_less_spent_to_the_wei_and_later_results_are_ignored(e2e: Any, tmp_path: Path) -> None:
    user = e2e.user
    assert from_private_key(ANVIL_KEYS[1]).address == user.address
    workflow = spec.load(two_chains(6))
    deposit = 12 * ETHER + 3 * ETHER + 12345  # every attempt, plus some that was never needed
    child = e2e.start_provider()
    workflow_id = e2e.client.submit(workflow, user, deposit)
    frozen_after_jobs(child, 3)
    try:
        before = e2e.client.view(workflow_id)
        cancelled = e2e.client.cancel(workflow_id, user)
        after = e2e.client.view(workflow_id)
    finally:
        child.send(signal.SIGCONT)
    in_flight = {s.index for s in before.steps if s.status is StepStatus.DISPATCHED}
    assert before.status is WorkflowStatus.RUNNING and in_flight, before

    registry = e2e.client.registry
    dispatches = logs_of(e2e, "StepDispatched", workflow_id)
    spent = sum(log.cost for log in dispatches)
    assert spent == len(dispatches) * ETHER == before.spent_wei  # every attempt paid so far
    refund = deposit - spent
    assert after.status is WorkflowStatus.CANCELLED
    assert after.spent_wei == spent and after.balance_wei == 0
    (refunded,) = registry.Refunded.from_receipt(cancelled)
    assert (refunded.workflowId, refunded.owner, refunded.amount) == (workflow_id, user.address, refund)
    assert registry.refundableOf(user) == refund

    # The provider goes on: it answers every job it was given, and the registry ignores each answer. As
    # those answers no longer count, LocalLilypad pays no provider for them: each in-flight job's payment
    # comes back and is credited to the owner, on top of the refund at cancel.
    lilypad = e2e.client.lilypad
    wait_until(lambda: len(e2e.events(lilypad, "JobAnswered")) == int(lilypad.jobCount()), "every job answered", child)
    ignored = logs_of(e2e, "ResultIgnored", workflow_id)
    returned = logs_of(e2e, "JobRefunded", workflow_id)
    assert sorted(r.amount for r in returned) == [ETHER] * len(in_flight)
    refund += ETHER * len(in_flight)
    assert registry.refundableOf(user) == refund == e2e.client.view(workflow_id).refunded_wei
    assert {log.stepIndex for log in ignored} == in_flight and len(ignored) == len(in_flight)
    assert all(log.block_number > cancelled.block_number for log in ignored)
    for name in ("StepCompleted", "StepDispatched", "StepDeferred"):
        assert not [log for log in logs_of(e2e, name, workflow_id) if log.block_number > cancelled.block_number], name
    final = e2e.client.view(workflow_id)
    assert final.status is WorkflowStatus.CANCELLED and final.completed == before.completed
    assert all(not s.result_cid for s in final.steps if s.index in in_flight)
    assert {s.index for s in final.steps if s.status is StepStatus.CANCELLED} == in_flight  # not "Dispatched"
    assert (final.in_flight, final.queued) == (0, 0)
    assert child.stop() == 0

    # `tiny-hops withdraw`, signed with the owner's key, pays exactly the refund (less its own gas).
    balance = user.balance
    withdrew = Finished.of(
        tiny_hops("withdraw", "--rpc", e2e.chain.provider.uri, cwd=tmp_path, THOPS_PRIVATE_KEY=ANVIL_KEYS[1])
    )
    assert withdrew.code == 0, withdrew
    assert withdrew.stdout_lines[-1:] == [f"withdrew {format_wei(refund)} to {user.address}"]
    (withdrawn,) = e2e.events(registry, "Withdrawn")
    assert (withdrawn.account, withdrawn.amount) == (user.address, refund)
    fees = e2e.chain.provider.get_receipt(withdrawn.transaction_hash).total_fees_paid
    assert user.balance == balance + refund - fees
    assert registry.refundableOf(user) == 0
