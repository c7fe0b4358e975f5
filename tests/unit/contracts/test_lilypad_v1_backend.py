"""LilypadV1Registry, the registry as Lilypad v1's client: only Lilypad answers, each answer finds its attempt
through the job's route, and the route's slot, reused for the result, can never be turned into a route."""

from __future__ import annotations

from typing import Any

import base58
import pytest
from contract_helpers import (
    ETHER,
    Status,
    StepStatus,
    arguments,
    definition,
    job_of,
    label,
    logs,
    registry_events,
    reverts,
    step,
    view_reverts,
    workflow,
)

from tinyhops.chain.deploy import deploy_registry
from tinyhops.provider.cids import SHA2_256_PREFIX


@pytest.fixture
def in_flight(driver: Any, user: Any) -> int:
    """A running workflow whose only step (one retry) is in flight."""
    workflow_id, _ = driver.submit(workflow(step(1, retries=1)), user)
    return workflow_id


def cid_v0_with_digest(digest: int) -> str:
    """A well-formed CIDv0 whose sha2-256 digest is `digest`: a result whoever answers may choose."""
    return base58.b58encode(SHA2_256_PREFIX + digest.to_bytes(32, "big")).decode()


def test_the_registry_answers_to_its_lilypad(registry: Any, lilypad: Any) -> None:
    assert registry.lilypad() == lilypad.address


def test_only_lilypad_may_deliver_answers(registry: Any, in_flight: int, user: Any, provider: Any) -> None:
    job = job_of(registry, in_flight, 0)
    for caller in (user, provider):
        with reverts(registry.NotLilypad, caller=caller):
            registry.receiveJobResults(job, label("forged"), sender=caller)
    assert registry.getStep(in_flight, 0).status == StepStatus.DISPATCHED


def test_each_job_is_routed_to_its_workflow_step_and_attempt(registry: Any, driver: Any, in_flight: int) -> None:
    first = job_of(registry, in_flight, 0)
    assert registry.jobOf(first) == (in_flight, 0, 1)
    assert registry.jobInFlight(first)
    driver.answer(first, failure="flaky")
    second = job_of(registry, in_flight, 0)
    assert second != first
    assert registry.jobOf(second) == (in_flight, 0, 2)
    assert registry.jobOf(first) == (in_flight, 0, 1)  # kept, so a late answer is recognised and ignored
    assert not registry.jobInFlight(first) and registry.jobInFlight(second)
    driver.answer(second, label("done"))
    # The completing job's slot now holds the result's digest: the registry routes it no more.
    view_reverts(registry.UnknownJob, registry.jobOf, second, jobId=second)
    assert not registry.jobInFlight(second)
    assert registry.resultOf(in_flight, 1) == label("done")


def test_an_unknown_job_is_refused(registry: Any, in_flight: int, as_lilypad: Any) -> None:
    view_reverts(registry.UnknownJob, registry.jobOf, 999, jobId=999)
    with reverts(registry.UnknownJob, jobId=999):
        registry.receiveJobResults(999, label("x"), sender=as_lilypad)


def test_an_answer_lilypad_delivers_twice_is_recorded_once(registry: Any, in_flight: int, as_lilypad: Any) -> None:
    job = job_of(registry, in_flight, 0)
    registry.receiveJobResults(job, label("first"), sender=as_lilypad)
    for replay in (label("first"), "JOB_FAILED:second thoughts"):
        receipt = registry.receiveJobResults(job, replay, sender=as_lilypad)
        assert registry_events(registry, receipt) == ["ResultIgnored"]
        (ignored,) = logs(registry.ResultIgnored, receipt)
        # Its step completed with it: the route is gone, and the event names no attempt.
        assert (ignored.jobId, ignored.workflowId, ignored.stepIndex, ignored.attempt) == (job, 0, 0, 0)
    assert registry.resultOf(in_flight, 1) == label("first")
    assert registry.getWorkflow(in_flight).status == Status.COMPLETED


def test_a_result_whose_digest_is_a_forged_route_never_reaches_another_step(
    registry: Any, driver: Any, user: Any, as_lilypad: Any
) -> None:
    """The attack on the reused route slot: whoever answers chooses the digest, so they post for job A a CID
    whose digest decodes as the route of another in-flight job B, then answer A again: the replay must be
    taken for neither B's attempt nor anything else."""
    victim, _ = driver.submit(workflow(step(1), step(2)), user)  # two independent steps, both in flight
    job_a, job_b = job_of(registry, victim, 0), job_of(registry, victim, 1)
    forged_route = (victim << 32) | (1 << 16) | (1 << 8) | 1  # workflow victim, step 1, attempt 1
    registry.receiveJobResults(job_a, cid_v0_with_digest(forged_route), sender=as_lilypad)
    assert registry.getStep(victim, 0).status == StepStatus.COMPLETED
    for replay in (label("spliced"), "JOB_FAILED:make B fail"):
        receipt = registry.receiveJobResults(job_a, replay, sender=as_lilypad)
        assert registry_events(registry, receipt) == ["ResultIgnored"]
    b = registry.getStep(victim, 1)
    assert (b.status, b.attempts, b.jobId) == (StepStatus.DISPATCHED, 1, job_b)
    assert registry.resultOf(victim, 1) == cid_v0_with_digest(forged_route)
    driver.answer(job_b, label("b"))
    assert registry.getWorkflow(victim).status == Status.COMPLETED


def test_failure_answers_are_split_from_results_by_their_prefix(registry: Any, in_flight: int, as_lilypad: Any) -> None:
    receipt = registry.receiveJobResults(job_of(registry, in_flight, 0), "JOB_FAILED:GPU fell off", sender=as_lilypad)
    (failed,) = logs(registry.StepFailed, receipt)
    assert (failed.reason, failed.willRetry) == ("GPU fell off", True)


@pytest.mark.parametrize("job_id", [0, 2**48, 2**56], ids=["zero", "just-too-wide", "wide"])
def test_a_job_id_the_registry_cannot_route_fails_the_step_and_counts_as_paid(
    project: Any, deployer: Any, user: Any, job_id: int
) -> None:
    broken = deployer.deploy(project.FixedJobIdLilypad, job_id)
    stack = deploy_registry(project, deployer, broken)
    receipt = stack.registry.submit(arguments([definition(1)]), sender=user, value=ETHER)
    assert [log.reason for log in logs(stack.registry.StepFailed, receipt)] == ["bad job id"]
    summary = stack.registry.getWorkflow(1)
    # Lilypad kept the payment: it is spent, not refunded, and every wei is where the books say.
    assert (summary.status, summary.spent, summary.refunded) == (Status.FAILED, ETHER, 0)
    assert broken.balance == ETHER and stack.registry.balance == 0


def test_a_lilypad_repeating_job_ids_fails_the_second_step_not_the_call_nor_the_first(
    project: Any, deployer: Any, user: Any
) -> None:
    broken = deployer.deploy(project.FixedJobIdLilypad, 7)
    stack = deploy_registry(project, deployer, broken)
    registry = stack.registry
    receipt = registry.submit(arguments([definition(1), definition(2)]), sender=user, value=2 * ETHER)

    assert registry.jobOf(7) == (1, 0, 1)
    failed = logs(registry.StepFailed, receipt)
    assert [(log.stepIndex, log.reason) for log in failed] == [(1, "bad job id")]
    assert registry.getWorkflow(1).status == Status.FAILED
    assert registry.getWorkflow(1).spent == 2 * ETHER and broken.balance == 2 * ETHER
