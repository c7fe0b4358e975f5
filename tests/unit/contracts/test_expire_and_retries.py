"""Failed attempts: JOB_FAILED answers, retries paid again, `expire` after a timeout, and failing for good."""

from __future__ import annotations

from typing import Any

import pytest
from contract_helpers import (
    ETHER,
    SDXL,
    Status,
    StepStatus,
    arguments,
    assert_solvent,
    definition,
    fees_of,
    job_of,
    label,
    logs,
    registry_events,
    reverts,
    step,
    workflow,
)

TIMEOUT = 600


@pytest.fixture
def retrying(driver: Any, user: Any) -> int:
    """Step 1 with two retries and a timeout, then step 2; deposit 3 + 1 ether plus 1 ether spare."""
    flow = workflow(step(1, retries=2, timeout=TIMEOUT), step(2, needs=[1], params="{{stepId:1}}"))
    workflow_id, _ = driver.submit(flow, user, value=5 * ETHER)
    return workflow_id


def dispatched_at(registry: Any, workflow_id: int, index: int) -> int:
    return registry.getStep(workflow_id, index).dispatchedAt


def test_a_failed_job_is_retried_at_once_and_paid_again(registry: Any, driver: Any, retrying: int) -> None:
    first_job = job_of(registry, retrying, 0)
    receipt = driver.answer(first_job, failure="out of memory")

    # LocalLilypad sends the failed job's payment back (JobRefunded); the retry pays again.
    assert registry_events(registry, receipt) == ["JobRefunded", "StepFailed", "StepDispatched"]
    (failed,) = logs(registry.StepFailed, receipt)
    assert (failed.stepId, failed.stepIndex, failed.attempt) == (1, 0, 1)
    assert (failed.reason, failed.willRetry) == ("out of memory", True)
    (retry,) = logs(registry.StepDispatched, receipt)
    assert (retry.stepIndex, retry.attempt, retry.cost, retry.params) == (0, 2, ETHER, "hello")
    assert retry.jobId != first_job
    state = registry.getStep(retrying, 0)
    assert (state.status, state.attempts, state.jobId) == (StepStatus.DISPATCHED, 2, retry.jobId)
    assert registry.getWorkflow(retrying).spent == ETHER  # the failed attempt's payment came back

    receipt = driver.answer(retry.jobId, label("second time lucky"))
    assert logs(registry.StepCompleted, receipt)[0].attempt == 2


def test_a_step_out_of_retries_fails_the_workflow_and_refunds_the_rest(
    registry: Any, driver: Any, retrying: int, user: Any
) -> None:
    for attempt in (1, 2):
        driver.answer(job_of(registry, retrying, 0), failure=f"attempt {attempt} failed")
    receipt = driver.answer(job_of(registry, retrying, 0), failure="last straw")

    assert registry_events(registry, receipt) == ["JobRefunded", "StepFailed", "WorkflowFailed", "Refunded"]
    (failed,) = logs(registry.StepFailed, receipt)
    assert (failed.attempt, failed.reason, failed.willRetry) == (3, "last straw", False)
    (workflow_failed,) = logs(registry.WorkflowFailed, receipt)
    assert (workflow_failed.workflowId, workflow_failed.stepId) == (retrying, 1)
    spent = 0  # LocalLilypad returned each failed attempt's payment
    (refunded,) = logs(registry.Refunded, receipt)
    assert refunded.amount == 5 * ETHER - spent == registry.refundableOf(user)
    summary = registry.getWorkflow(retrying)
    assert (summary.status, summary.balance, summary.spent, summary.inFlightCount) == (Status.FAILED, 0, spent, 0)
    assert registry.getStep(retrying, 0).status == StepStatus.FAILED
    assert registry.getStep(retrying, 1).status == StepStatus.SKIPPED  # never ran: the workflow had failed
    assert_solvent(registry)

    before = user.balance
    receipt = registry.withdraw(sender=user)
    assert user.balance == before + 5 * ETHER - fees_of(receipt)


def test_a_failure_ends_the_workflow_while_other_branches_are_in_flight(registry: Any, driver: Any, user: Any) -> None:
    workflow_id, _ = driver.submit(workflow(step(1), step(2), step(3, needs=[1, 2])), user)
    driver.answer(job_of(registry, workflow_id, 0), failure="nope")

    assert registry.getWorkflow(workflow_id).status == Status.FAILED
    refundable = registry.refundableOf(user)
    receipt = driver.answer(job_of(registry, workflow_id, 1), "late")
    # Ignored; LocalLilypad does not pay for it, so its payment reaches the owner too.
    assert registry_events(registry, receipt) == ["JobRefunded", "Refunded", "ResultIgnored"]
    assert refundable == 2 * ETHER  # step 1's failed job came back, and step 3 never ran
    assert registry.refundableOf(user) == refundable + ETHER
    assert_solvent(registry)


def test_a_dispatch_that_reverts_fails_the_workflow_without_spending(registry: Any, user: Any, lilypad: Any) -> None:
    # LocalLilypad wants 4 ether for SDXL: a step paying 1 makes the job submission revert (PaymentTooLow).
    steps = [definition(1, module=SDXL, retries=2)]
    receipt = registry.submit(arguments(steps), sender=user, value=3 * ETHER)

    assert registry_events(registry, receipt) == ["WorkflowSubmitted", "StepFailed", "WorkflowFailed", "Refunded"]
    (failed,) = logs(registry.StepFailed, receipt)
    assert (failed.attempt, failed.reason, failed.willRetry) == (1, "dispatch reverted", False)
    summary = registry.getWorkflow(1)
    assert (summary.status, summary.spent) == (Status.FAILED, 0)
    assert registry.refundableOf(user) == 3 * ETHER
    assert lilypad.jobCount() == 0
    assert_solvent(registry)


def test_nothing_happens_to_a_workflow_after_a_dispatch_failed_it(registry: Any, user: Any) -> None:
    """Once a dispatch that reverts has failed the workflow, its other ready steps must stay untouched."""
    steps = [definition(1, module=SDXL), definition(2), definition(3)]
    receipt = registry.submit(arguments(steps), sender=user, value=3 * ETHER)

    events = registry_events(registry, receipt)
    assert events[events.index("WorkflowFailed") :] == ["WorkflowFailed", "Refunded"], events
    assert registry.getWorkflow(1).queuedCount == 0
    assert [s.status for s in registry.getSteps(1)][1:] == [StepStatus.SKIPPED, StepStatus.SKIPPED]


def test_anyone_may_expire_an_attempt_once_its_timeout_has_passed(
    chain: Any, registry: Any, driver: Any, retrying: int, stranger: Any
) -> None:
    deadline = dispatched_at(registry, retrying, 0) + TIMEOUT
    chain.pending_timestamp = deadline - 1
    with reverts(registry.StepNotExpirable, workflowId=retrying, stepIndex=0):
        registry.expire(retrying, 0, sender=stranger)

    chain.pending_timestamp = deadline
    expired_job = job_of(registry, retrying, 0)
    receipt = registry.expire(retrying, 0, sender=stranger)
    driver.collect(receipt)

    assert registry_events(registry, receipt) == ["StepExpired", "StepFailed", "StepDispatched"]
    (expired,) = logs(registry.StepExpired, receipt)
    assert (expired.workflowId, expired.stepId, expired.stepIndex) == (retrying, 1, 0)
    assert (expired.attempt, expired.expiredBy) == (1, stranger.address)
    (failed,) = logs(registry.StepFailed, receipt)
    assert (failed.attempt, failed.reason, failed.willRetry) == (1, "expired", True)
    assert logs(registry.StepDispatched, receipt)[0].attempt == 2
    assert registry.getWorkflow(retrying).spent == 2 * ETHER

    # The expired attempt's answer arrives after all: it changes nothing.
    receipt = driver.answer(expired_job, "late result")
    assert registry_events(registry, receipt) == ["JobRefunded", "ResultIgnored"]  # not paid for
    assert registry.getStep(retrying, 0).status == StepStatus.DISPATCHED
    assert registry.getStep(retrying, 0).attempts == 2


def test_expiring_the_same_attempt_twice_is_refused(chain: Any, registry: Any, retrying: int, stranger: Any) -> None:
    chain.pending_timestamp = dispatched_at(registry, retrying, 0) + TIMEOUT
    registry.expire(retrying, 0, sender=stranger)
    # The retry was dispatched in that block: its own timeout starts now.
    with reverts(registry.StepNotExpirable, workflowId=retrying, stepIndex=0):
        registry.expire(retrying, 0, sender=stranger)


def test_expiring_the_last_attempt_fails_the_workflow(chain: Any, registry: Any, driver: Any, user: Any) -> None:
    workflow_id, _ = driver.submit(workflow(step(1, timeout=60)), user)
    chain.pending_timestamp = dispatched_at(registry, workflow_id, 0) + 60
    receipt = registry.expire(workflow_id, 0, sender=user)

    assert registry_events(registry, receipt) == ["StepExpired", "StepFailed", "WorkflowFailed"]
    with reverts(registry.WrongWorkflowStatus, workflowId=workflow_id, status=Status.FAILED):
        registry.expire(workflow_id, 0, sender=user)


def test_an_expired_retry_while_paused_waits_for_resume(
    chain: Any, registry: Any, retrying: int, user: Any, stranger: Any
) -> None:
    registry.pause(retrying, sender=user)
    chain.pending_timestamp = dispatched_at(registry, retrying, 0) + TIMEOUT
    receipt = registry.expire(retrying, 0, sender=stranger)
    assert registry_events(registry, receipt) == ["StepExpired", "StepFailed", "StepDeferred"]
    assert registry.getStep(retrying, 0).status == StepStatus.READY
    receipt = registry.resume(retrying, sender=user)
    assert logs(registry.StepDispatched, receipt)[0].attempt == 2


def test_only_a_dispatched_step_with_a_timeout_can_expire(
    chain: Any, registry: Any, driver: Any, user: Any, stranger: Any
) -> None:
    flow = workflow(step(1), step(2, needs=[1], timeout=TIMEOUT))
    workflow_id, _ = driver.submit(flow, user)
    chain.mine(deltatime=10 * TIMEOUT)
    for index in (0, 1):  # no timeout; not dispatched yet
        with reverts(registry.StepNotExpirable, workflowId=workflow_id, stepIndex=index):
            registry.expire(workflow_id, index, sender=stranger)
    driver.answer(job_of(registry, workflow_id, 0))
    chain.mine(deltatime=TIMEOUT // 2)  # answered before its deadline
    driver.answer(job_of(registry, workflow_id, 1))
    with reverts(registry.WrongWorkflowStatus, workflowId=workflow_id, status=Status.COMPLETED):
        registry.expire(workflow_id, 1, sender=stranger)


def test_expire_rejects_unknown_workflows_and_steps(registry: Any, retrying: int, stranger: Any) -> None:
    with reverts(registry.UnknownWorkflow, workflowId=retrying + 1):
        registry.expire(retrying + 1, 0, sender=stranger)
    with reverts(registry.UnknownStep, workflowId=retrying, stepIndex=2):
        registry.expire(retrying, 2, sender=stranger)


def test_attack_a_timeout_is_a_deadline_an_answer_after_it_expires_the_attempt(
    chain: Any, registry: Any, driver: Any, retrying: int
) -> None:
    """Finding 8: a step with a timeout whose provider came back after it used to complete on that attempt,
    because nobody had called `expire` first. Past its deadline an attempt is over: its answer is ignored and
    the attempt fails as an expiry would (retried here), whoever calls or does not call `expire`."""
    late_job = job_of(registry, retrying, 0)
    chain.mine(deltatime=TIMEOUT + 30)
    receipt = driver.answer(late_job, label("too late"))
    assert registry_events(registry, receipt) == [
        "JobRefunded",
        "ResultIgnored",
        "StepExpired",
        "StepFailed",
        "StepDispatched",
    ]
    (expired,) = logs(registry.StepExpired, receipt)
    assert (expired.stepIndex, expired.attempt, expired.expiredBy) == (0, 1, "0x" + "00" * 20)
    (failed,) = logs(registry.StepFailed, receipt)
    assert (failed.attempt, failed.reason, failed.willRetry) == (1, "expired", True)
    state = registry.getStep(retrying, 0)
    assert (state.status, state.attempts, state.resultCid) == (StepStatus.DISPATCHED, 2, "")
    assert registry.resultOf(retrying, 1) == ""

    # A failure reported after the deadline is an expiry too; with no retries left the workflow fails.
    chain.mine(deltatime=TIMEOUT)
    driver.answer(job_of(registry, retrying, 0), failure="out of memory")
    chain.mine(deltatime=TIMEOUT)
    receipt = driver.answer(job_of(registry, retrying, 0), failure="late failure")
    assert [log.reason for log in logs(registry.StepFailed, receipt)] == ["expired"]
    assert registry.getWorkflow(retrying).status == Status.FAILED
    assert_solvent(registry)


def test_an_answer_just_before_the_deadline_still_counts(chain: Any, registry: Any, driver: Any, retrying: int) -> None:
    dispatched_at = registry.getStep(retrying, 0).dispatchedAt
    chain.pending_timestamp = dispatched_at + TIMEOUT - 1
    receipt = driver.answer(job_of(registry, retrying, 0), label("in time"))
    assert registry_events(registry, receipt)[:1] == ["StepCompleted"]


def test_a_dispatch_failing_while_the_queue_drains_leaves_nothing_queued(registry: Any, user: Any, keeper: Any) -> None:
    """Found while fixing the stale state: a dispatch that failed the workflow in the middle of `advance` used to
    leave the queue's head behind, so a Failed workflow still reported work queued."""
    steps = [definition(1), definition(2), definition(3, module=SDXL), definition(4), definition(5)]
    registry.submit(arguments(steps), sender=user, value=5 * ETHER)  # roots 1, 2 dispatched; 3, 4, 5 queued
    receipt = registry.advance(1, 8, sender=keeper)
    assert registry_events(registry, receipt)[:2] == ["StepFailed", "WorkflowFailed"]
    summary = registry.getWorkflow(1)
    assert (summary.status, summary.inFlightCount, summary.queuedCount) == (Status.FAILED, 0, 0)
