"""`pause`, `resume`, `cancel` (owner only) and `fund` (anyone): callers, states, replays and effects."""

from __future__ import annotations

from typing import Any

import pytest
from contract_helpers import (
    ETHER,
    Status,
    StepStatus,
    assert_solvent,
    job_of,
    label,
    logs,
    registry_events,
    reverts,
    run_to_end,
    step,
    workflow,
)

from tinyhops.spec import limits

OWNER_CONTROLS = ("pause", "resume", "cancel")


@pytest.fixture
def running(driver: Any, user: Any) -> int:
    """A running workflow of the user's: step 1, then step 2 with its result, one retry each."""
    flow = workflow(step(1, retries=1), step(2, needs=[1], params="after {{stepId:1}}", retries=1))
    workflow_id, _ = driver.submit(flow, user)
    return workflow_id


def end(driver: Any, registry: Any, workflow_id: int, owner: Any, status: Status) -> None:
    if status == Status.COMPLETED:
        run_to_end(driver, workflow_id)
    elif status == Status.FAILED:
        driver.answer(job_of(registry, workflow_id, 0), failure="boom")
        driver.answer(job_of(registry, workflow_id, 0), failure="boom again")
    else:
        registry.cancel(workflow_id, sender=owner)
    assert registry.getWorkflow(workflow_id).status == status


@pytest.mark.parametrize("action", OWNER_CONTROLS)
def test_only_the_owner_may_pause_resume_or_cancel(
    registry: Any, running: int, stranger: Any, keeper: Any, action: str
) -> None:
    for caller in (stranger, keeper):
        with reverts(registry.NotWorkflowOwner, workflowId=running, caller=caller):
            getattr(registry, action)(running, sender=caller)


@pytest.mark.parametrize("action", OWNER_CONTROLS)
def test_owner_controls_reject_unknown_workflows(registry: Any, running: int, user: Any, action: str) -> None:
    for unknown in (0, running + 1):
        with reverts(registry.UnknownWorkflow, workflowId=unknown):
            getattr(registry, action)(unknown, sender=user)


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.FAILED, Status.CANCELLED])
def test_an_ended_workflow_can_no_longer_be_paused_resumed_cancelled_or_funded(
    registry: Any, driver: Any, running: int, user: Any, stranger: Any, status: Status
) -> None:
    end(driver, registry, running, user, status)
    for action in OWNER_CONTROLS:
        with reverts(registry.WrongWorkflowStatus, workflowId=running, status=status):
            getattr(registry, action)(running, sender=user)
    with reverts(registry.WrongWorkflowStatus, workflowId=running, status=status):
        registry.fund(running, sender=stranger, value=ETHER)
    assert_solvent(registry)


def test_pausing_twice_and_resuming_a_running_workflow_are_refused(registry: Any, running: int, user: Any) -> None:
    with reverts(registry.WrongWorkflowStatus, workflowId=running, status=Status.RUNNING):
        registry.resume(running, sender=user)
    receipt = registry.pause(running, sender=user)
    assert registry_events(registry, receipt) == ["WorkflowPaused"]
    with reverts(registry.WrongWorkflowStatus, workflowId=running, status=Status.PAUSED):
        registry.pause(running, sender=user)
    receipt = registry.resume(running, sender=user)
    assert registry_events(registry, receipt) == ["WorkflowResumed"]
    with reverts(registry.WrongWorkflowStatus, workflowId=running, status=Status.RUNNING):
        registry.resume(running, sender=user)


def test_a_paused_workflow_records_results_in_flight_but_dispatches_nothing_until_resumed(
    registry: Any, driver: Any, running: int, user: Any, keeper: Any
) -> None:
    registry.pause(running, sender=user)
    receipt = driver.answer(job_of(registry, running, 0), label("first-result"))

    assert registry_events(registry, receipt) == ["StepCompleted"]
    summary = registry.getWorkflow(running)
    assert (summary.status, summary.completedCount, summary.inFlightCount) == (Status.PAUSED, 1, 0)
    assert summary.queuedCount == 1
    assert registry.getStep(running, 1).status == StepStatus.WAITING
    with reverts(registry.WrongWorkflowStatus, workflowId=running, status=Status.PAUSED):
        registry.advance(running, 5, sender=keeper)

    receipt = registry.resume(running, sender=user)
    (dispatched,) = logs(registry.StepDispatched, receipt)
    assert (dispatched.stepIndex, dispatched.params) == (1, f"after {label('first-result')}")
    assert registry.getWorkflow(running).queuedCount == 0
    driver.collect(receipt)
    run_to_end(driver, running)
    assert registry.getWorkflow(running).status == Status.COMPLETED


def test_a_paused_workflow_completes_when_its_last_job_answers(
    registry: Any, driver: Any, running: int, user: Any
) -> None:
    driver.answer(job_of(registry, running, 0))
    registry.pause(running, sender=user)
    receipt = driver.answer(job_of(registry, running, 1))
    assert registry_events(registry, receipt) == ["StepCompleted", "WorkflowCompleted", "Refunded"]
    assert registry.getWorkflow(running).status == Status.COMPLETED


def test_a_retry_that_comes_due_while_paused_waits_for_resume(
    registry: Any, driver: Any, running: int, user: Any
) -> None:
    registry.pause(running, sender=user)
    receipt = driver.answer(job_of(registry, running, 0), failure="provider crashed")

    (failed,) = logs(registry.StepFailed, receipt)
    assert (failed.attempt, failed.reason, failed.willRetry) == (1, "provider crashed", True)
    assert registry_events(registry, receipt) == ["JobRefunded", "StepFailed", "StepDeferred"]
    assert registry.getStep(running, 0).status == StepStatus.READY

    receipt = registry.resume(running, sender=user)
    (dispatched,) = logs(registry.StepDispatched, receipt)
    assert (dispatched.stepIndex, dispatched.attempt) == (0, 2)
    assert registry.getWorkflow(running).spent == ETHER  # the failed attempt's payment came back


def test_resume_dispatches_a_bounded_number_of_steps_and_advance_the_rest(
    registry: Any, driver: Any, user: Any, keeper: Any
) -> None:
    fan_out = limits.MAX_DISPATCH_PER_DELIVERY + 3
    flow = workflow(step(1), *(step(i, needs=[1]) for i in range(2, fan_out + 2)))
    workflow_id, _ = driver.submit(flow, user)
    registry.pause(workflow_id, sender=user)
    driver.answer(job_of(registry, workflow_id, 0))

    receipt = registry.resume(workflow_id, sender=user)
    assert len(logs(registry.StepDispatched, receipt)) == limits.MAX_DISPATCH_PER_DELIVERY
    driver.collect(receipt)
    receipt = registry.advance(workflow_id, 100, sender=keeper)
    driver.collect(receipt)
    statuses = [s.status for s in registry.getSteps(workflow_id)]
    assert statuses == [StepStatus.COMPLETED] + [StepStatus.DISPATCHED] * fan_out


@pytest.mark.parametrize("pause_first", [False, True], ids=["running", "paused"])
def test_cancel_refunds_the_unspent_deposit_and_ignores_later_answers(
    registry: Any, driver: Any, running: int, user: Any, pause_first: bool
) -> None:
    if pause_first:
        registry.pause(running, sender=user)
    deposit = 4 * ETHER  # two steps, each paid for twice
    receipt = registry.cancel(running, sender=user)

    assert registry_events(registry, receipt) == ["WorkflowCancelled", "Refunded"]
    (refunded,) = logs(registry.Refunded, receipt)
    assert (refunded.workflowId, refunded.owner, refunded.amount) == (running, user.address, deposit - ETHER)
    summary = registry.getWorkflow(running)
    assert (summary.status, summary.balance, summary.spent) == (Status.CANCELLED, 0, ETHER)
    assert registry.refundableOf(user) == deposit - ETHER

    receipt = driver.answer(job_of(registry, running, 0), "too-late")
    (ignored,) = logs(registry.ResultIgnored, receipt)
    assert (ignored.workflowId, ignored.stepIndex, ignored.attempt, ignored.result) == (running, 0, 1, "too-late")
    # LocalLilypad does not pay for an answer that no longer counts: the job's payment reaches the owner.
    assert registry_events(registry, receipt) == ["JobRefunded", "Refunded", "ResultIgnored"]
    assert registry.getStep(running, 0).resultCid == ""
    assert registry.getWorkflow(running).completedCount == 0
    with reverts(registry.WrongWorkflowStatus, workflowId=running, status=Status.CANCELLED):
        registry.cancel(running, sender=user)
    assert_solvent(registry)


def test_a_failure_after_cancel_is_ignored_too(registry: Any, driver: Any, running: int, user: Any) -> None:
    registry.cancel(running, sender=user)
    receipt = driver.answer(job_of(registry, running, 0), failure="late failure")
    assert registry_events(registry, receipt) == ["JobRefunded", "Refunded", "ResultIgnored"]
    assert registry.getWorkflow(running).spent == 0  # the failed job's payment came back


def test_anyone_may_fund_a_workflow_and_its_owner_gets_what_is_left(
    registry: Any, driver: Any, running: int, user: Any, stranger: Any
) -> None:
    receipt = registry.fund(running, sender=stranger, value=2 * ETHER)
    (funded,) = logs(registry.WorkflowFunded, receipt)
    assert (funded.workflowId, funded.funder, funded.amount) == (running, stranger.address, 2 * ETHER)
    registry.pause(running, sender=user)
    registry.fund(running, sender=stranger, value=ETHER)
    assert registry.getWorkflow(running).balance == 3 * ETHER + 3 * ETHER

    registry.cancel(running, sender=user)
    assert registry.refundableOf(user) == 6 * ETHER
    assert registry.refundableOf(stranger) == 0
    assert_solvent(registry)


def test_fund_rejects_an_unknown_workflow(registry: Any, running: int, stranger: Any) -> None:
    with reverts(registry.UnknownWorkflow, workflowId=running + 1):
        registry.fund(running + 1, sender=stranger, value=ETHER)


def test_fund_cannot_push_a_deposit_past_uint96(registry: Any, running: int, stranger: Any) -> None:
    stranger.balance += 2**97
    deposited = 4 * ETHER
    top_up = 2**96 - deposited
    with reverts(registry.DepositTooLarge, amount=2**96):
        registry.fund(running, sender=stranger, value=top_up)
    registry.fund(running, sender=stranger, value=top_up - 1)
    assert registry.getWorkflow(running).balance == 2**96 - 1 - ETHER


def test_attack_stale_state_after_the_end_a_cancelled_workflow_reads_as_final_everywhere(
    registry: Any, driver: Any, user: Any
) -> None:
    """Finding 6: after `cancel` (or a failure) `getWorkflow` still reported jobs in flight and work queued, and
    steps stayed Dispatched. A final workflow has nothing in flight or queued; a step whose job was in flight
    reads Cancelled, one that never ran Skipped, one that completed Completed."""
    roots = [step(i) for i in range(1, 6)]  # five roots: two dispatched at submit, three queued
    workflow_id, _ = driver.submit(workflow(*roots, step(6, needs=[1, 2, 3, 4, 5])), user)
    driver.answer(job_of(registry, workflow_id, 0), label("done"))  # completes root 1, dispatches roots 3, 4
    summary = registry.getWorkflow(workflow_id)
    assert (summary.inFlightCount, summary.queuedCount) == (3, 1)
    registry.cancel(workflow_id, sender=user)

    summary = registry.getWorkflow(workflow_id)
    assert (summary.status, summary.inFlightCount, summary.queuedCount, summary.balance) == (Status.CANCELLED, 0, 0, 0)
    assert [s.status for s in registry.getSteps(workflow_id)] == [
        StepStatus.COMPLETED,
        StepStatus.CANCELLED,
        StepStatus.CANCELLED,
        StepStatus.CANCELLED,
        StepStatus.SKIPPED,
        StepStatus.SKIPPED,
    ]


def test_a_failed_workflow_reads_as_final_everywhere(registry: Any, driver: Any, user: Any) -> None:
    workflow_id, _ = driver.submit(workflow(step(1), step(2), step(3, needs=[1, 2])), user)
    driver.answer(job_of(registry, workflow_id, 0), failure="no GPU")
    summary = registry.getWorkflow(workflow_id)
    assert (summary.status, summary.inFlightCount, summary.queuedCount) == (Status.FAILED, 0, 0)
    assert [s.status for s in registry.getSteps(workflow_id)] == [
        StepStatus.FAILED,
        StepStatus.CANCELLED,
        StepStatus.SKIPPED,
    ]
