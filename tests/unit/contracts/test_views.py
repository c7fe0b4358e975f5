"""The registry's views: what they return for each state, and their errors for what does not exist."""

from __future__ import annotations

from typing import Any

import pytest
from contract_helpers import (
    COWSAY,
    ETHER,
    StepStatus,
    arguments,
    definition,
    job_of,
    label,
    text,
    view_reverts,
)


@pytest.fixture
def submitted(registry: Any, user: Any) -> tuple[int, Any]:
    """Steps with ids 0 and 42 (needing 0), submitted; returns the id and the submit receipt."""
    steps = [definition(0, params=text("first")), definition(42, needs=[0], cost=2 * ETHER, retries=1)]
    receipt = registry.submit(arguments(steps), sender=user, value=5 * ETHER)
    return registry.workflowCount(), receipt


def test_a_fresh_registry_has_no_workflows(registry: Any, lilypad: Any, user: Any) -> None:
    assert registry.workflowCount() == 0
    assert registry.refundableOf(user) == 0
    assert registry.lilypad() == lilypad.address
    for view, args in ((registry.getWorkflow, ()), (registry.getSteps, ()), (registry.getStep, (0,))):
        view_reverts(registry.UnknownWorkflow, view, 0, *args, workflowId=0)
        view_reverts(registry.UnknownWorkflow, view, 1, *args, workflowId=1)
    view_reverts(registry.UnknownWorkflow, registry.resultOf, 1, 0, workflowId=1)


def test_get_step_describes_a_dispatched_and_a_waiting_step(
    chain: Any, registry: Any, submitted: tuple[int, Any]
) -> None:
    workflow_id, receipt = submitted
    first, second = registry.getSteps(workflow_id)
    assert first == registry.getStep(workflow_id, 0)
    assert (first.stepId, first.status, first.attempts, first.jobId) == (0, StepStatus.DISPATCHED, 1, 1)
    assert first.dispatchedAt == chain.blocks[receipt.block_number].timestamp
    assert (first.module, first.cost, first.params, first.resultCid) == (COWSAY, ETHER, "first", "")
    assert (second.stepId, second.status, second.attempts, second.dispatchedAt) == (42, StepStatus.WAITING, 0, 0)
    assert (second.module, second.cost, second.params, second.resultCid) == (COWSAY, 2 * ETHER, "", "")


def test_steps_out_of_range_and_unknown_step_ids_are_refused(registry: Any, submitted: tuple[int, Any]) -> None:
    workflow_id, _ = submitted
    for index in (2, 2**16, 2**256 - 1):
        view_reverts(
            registry.UnknownStep, registry.getStep, workflow_id, index, workflowId=workflow_id, stepIndex=index
        )
    for step_id in (1, 43, 2**64 - 1):
        view_reverts(
            registry.UnknownStepId, registry.resultOf, workflow_id, step_id, workflowId=workflow_id, stepId=step_id
        )


def test_result_of_is_empty_until_the_step_completes(registry: Any, driver: Any, submitted: tuple[int, Any]) -> None:
    workflow_id, receipt = submitted
    driver.collect(receipt)
    assert registry.resultOf(workflow_id, 0) == registry.resultOf(workflow_id, 42) == ""
    driver.answer(job_of(registry, workflow_id, 0), label("zero"))
    assert (registry.resultOf(workflow_id, 0), registry.resultOf(workflow_id, 42)) == (label("zero"), "")
    driver.answer(job_of(registry, workflow_id, 1), failure="no")
    assert registry.resultOf(workflow_id, 42) == ""  # a failed attempt leaves no result


def test_required_deposit_neither_validates_nor_overflows(registry: Any) -> None:
    assert registry.requiredDeposit([]) == 0
    extreme = [definition(i, cost=2**96 - 1, retries=255) for i in range(10)]  # retries above the limit
    assert registry.requiredDeposit(arguments(extreme)) == 10 * (2**96 - 1) * 256
    assert registry.requiredDeposit(arguments([definition(cost=0)])) == 0


def test_get_workflow_summarises_progress(registry: Any, driver: Any, submitted: tuple[int, Any], user: Any) -> None:
    workflow_id, receipt = submitted
    driver.collect(receipt)
    driver.answer(job_of(registry, workflow_id, 0))
    summary = registry.getWorkflow(workflow_id)
    assert summary.owner == user.address
    assert (summary.balance, summary.spent) == (2 * ETHER, 3 * ETHER)
    assert (summary.stepCount, summary.completedCount, summary.inFlightCount, summary.queuedCount) == (2, 1, 1, 0)
