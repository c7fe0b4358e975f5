"""LilypadV1Mediator: only the registry submits, only Lilypad answers, and each answer finds its attempt."""

from __future__ import annotations

from typing import Any

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

from tinyhops.deployment import deploy_registry


@pytest.fixture
def in_flight(driver: Any, user: Any) -> int:
    """A running workflow whose only step (one retry) is in flight."""
    workflow_id, _ = driver.submit(workflow(step(1, retries=1)), user)
    return workflow_id


def test_the_mediator_and_the_registry_point_at_each_other(registry: Any, mediator: Any, lilypad: Any) -> None:
    assert (mediator.registry(), mediator.lilypad(), registry.mediator()) == (
        registry.address,
        lilypad.address,
        mediator.address,
    )


def test_only_the_registry_may_submit_jobs(mediator: Any, user: Any, stranger: Any) -> None:
    for caller in (user, stranger):
        with reverts(mediator.NotRegistry, caller=caller):
            mediator.submitJob(1, 0, 1, "cowsay:v0.0.1", "hello", sender=caller, value=ETHER)


def test_only_lilypad_may_deliver_answers(
    registry: Any, mediator: Any, in_flight: int, user: Any, provider: Any
) -> None:
    job = job_of(registry, in_flight, 0)
    for caller in (user, provider):
        with reverts(mediator.NotLilypad, caller=caller):
            mediator.receiveJobResults(job, "forged", sender=caller)
    assert registry.getStep(in_flight, 0).status == StepStatus.DISPATCHED


def test_each_job_is_routed_to_its_workflow_step_and_attempt(
    registry: Any, mediator: Any, driver: Any, in_flight: int
) -> None:
    first = job_of(registry, in_flight, 0)
    assert mediator.jobOf(first) == (in_flight, 0, 1)
    driver.answer(first, failure="flaky")
    second = job_of(registry, in_flight, 0)
    assert second != first
    assert mediator.jobOf(second) == (in_flight, 0, 2)
    assert mediator.jobOf(first) == (in_flight, 0, 1)  # kept, so a late answer is recognised and ignored


def test_an_unknown_job_is_refused(mediator: Any, in_flight: int, as_lilypad: Any) -> None:
    view_reverts(mediator.UnknownJob, mediator.jobOf, 999, jobId=999)
    with reverts(mediator.UnknownJob, jobId=999):
        mediator.receiveJobResults(999, "bafk", sender=as_lilypad)


def test_an_answer_lilypad_delivers_twice_is_recorded_once(
    registry: Any, mediator: Any, in_flight: int, as_lilypad: Any
) -> None:
    job = job_of(registry, in_flight, 0)
    mediator.receiveJobResults(job, label("first"), sender=as_lilypad)
    for replay in ("first", "JOB_FAILED:second thoughts"):
        receipt = mediator.receiveJobResults(job, replay, sender=as_lilypad)
        assert registry_events(registry, receipt) == ["ResultIgnored"]
    assert registry.resultOf(in_flight, 1) == label("first")
    assert registry.getWorkflow(in_flight).status == Status.COMPLETED


def test_failure_answers_are_split_from_results_by_their_prefix(
    registry: Any, mediator: Any, in_flight: int, as_lilypad: Any
) -> None:
    receipt = mediator.receiveJobResults(job_of(registry, in_flight, 0), "JOB_FAILED:GPU fell off", sender=as_lilypad)
    (failed,) = logs(registry.StepFailed, receipt)
    assert (failed.reason, failed.willRetry) == ("GPU fell off", True)


def test_the_mediator_keeps_no_ether(registry: Any, mediator: Any, driver: Any, in_flight: int) -> None:
    driver.answer(job_of(registry, in_flight, 0))
    assert mediator.balance == 0


def test_a_lilypad_repeating_job_ids_fails_the_step_not_the_dispatch_call(
    project: Any, deployer: Any, user: Any
) -> None:
    stack = deploy_registry(project, deployer, deployer.deploy(project.FixedJobIdLilypad, 7))
    registry, mediator = stack.registry, stack.mediator
    receipt = registry.submit(arguments([definition(1), definition(2)]), sender=user, value=2 * ETHER)

    assert mediator.jobOf(7) == (1, 0, 1)
    failed = logs(registry.StepFailed, receipt)
    assert [(log.stepIndex, log.reason) for log in failed] == [(1, "dispatch reverted")]
    assert registry.getWorkflow(1).status == Status.FAILED


def test_the_mediator_refuses_a_repeated_job_id(project: Any, accounts: Any, deployer: Any, user: Any) -> None:
    stack = deploy_registry(project, deployer, deployer.deploy(project.FixedJobIdLilypad, 7))
    as_registry = accounts[stack.registry.address]
    as_registry.balance += 10 * ETHER
    stack.mediator.submitJob(1, 0, 1, "cowsay:v0.0.1", "", sender=as_registry)
    with reverts(stack.mediator.DuplicateJob, jobId=7):
        stack.mediator.submitJob(1, 1, 1, "cowsay:v0.0.1", "", sender=as_registry)


def test_the_mediator_refuses_a_job_id_wider_than_the_registry_stores(
    project: Any, accounts: Any, deployer: Any, user: Any
) -> None:
    too_wide = 2**56
    stack = deploy_registry(project, deployer, deployer.deploy(project.FixedJobIdLilypad, too_wide))
    as_registry = accounts[stack.registry.address]
    as_registry.balance += 10 * ETHER
    with reverts(stack.mediator.JobIdTooLarge, jobId=too_wide):
        stack.mediator.submitJob(1, 0, 1, "cowsay:v0.0.1", "", sender=as_registry)

    receipt = stack.registry.submit(arguments([definition(1)]), sender=user, value=ETHER)
    assert [log.reason for log in logs(stack.registry.StepFailed, receipt)] == ["dispatch reverted"]
