"""`advance` and bounded deliveries: a wide fan-out drains through the queue, a bit per transaction."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from contract_helpers import (
    Status,
    StepStatus,
    assert_solvent,
    job_of,
    label,
    logs,
    reverts,
    run_to_end,
    step,
    workflow,
)

from tinyhops.spec import limits

MAX_DISPATCH = limits.MAX_DISPATCH_PER_DELIVERY
FAN_OUT = 20


@pytest.fixture
def fan_out(driver: Any, user: Any) -> int:
    """Step 1, then 20 steps each needing it, then one step joining all 20 results."""
    children = [step(i, needs=[1], params=f"child {i} of {{{{stepId:1}}}}") for i in range(2, FAN_OUT + 2)]
    join = step(99, needs=list(range(2, FAN_OUT + 2)), params="".join(f"{{{{stepId:{i}}}}}," for i in range(2, 22)))
    workflow_id, _ = driver.submit(workflow(step(1), *children, join), user)
    return workflow_id


def test_a_delivery_dispatches_a_bounded_number_of_dependents_and_queues_the_rest(
    registry: Any, driver: Any, fan_out: int
) -> None:
    receipt = driver.answer(job_of(registry, fan_out, 0), label("ROOT"))

    dispatched = logs(registry.StepDispatched, receipt)
    assert len(dispatched) == MAX_DISPATCH
    assert [log.params for log in dispatched] == [f"child {i} of {label('ROOT')}" for i in range(2, 2 + MAX_DISPATCH)]
    deferred = logs(registry.StepDeferred, receipt)
    assert len(deferred) > 0
    assert registry.getWorkflow(fan_out).queuedCount > 0
    assert {registry.getStep(fan_out, log.stepIndex).status for log in deferred} == {StepStatus.READY}


def test_a_keeper_drains_the_queue_and_the_join_runs_once_after_every_branch(
    registry: Any, driver: Any, fan_out: int
) -> None:
    receipts = run_to_end(driver, fan_out, {0: label("ROOT"), **{i: label(f"C{i}") for i in range(1, FAN_OUT + 1)}})

    dispatches: Counter[int] = Counter()
    for receipt in receipts:
        in_this_transaction = logs(registry.StepDispatched, receipt)
        is_advance = receipt.method_called is not None and receipt.method_called.name == "advance"
        assert len(in_this_transaction) <= (8 if is_advance else MAX_DISPATCH)
        dispatches.update(log.stepIndex for log in in_this_transaction)
    assert dispatches == Counter(range(1, FAN_OUT + 2))  # the root went at submit; all others exactly once
    join = registry.getStep(fan_out, FAN_OUT + 1)
    assert join.params == "".join(f"{label(f'C{i}')}," for i in range(1, FAN_OUT + 1))
    assert registry.getWorkflow(fan_out).status == Status.COMPLETED
    assert registry.getWorkflow(fan_out).queuedCount == 0
    assert_solvent(registry)


def test_advance_dispatches_at_most_what_it_is_asked_and_reports_the_count(
    registry: Any, driver: Any, fan_out: int, keeper: Any
) -> None:
    driver.answer(job_of(registry, fan_out, 0))
    for asked in (1, 3):
        expected = registry.advance.call(fan_out, asked, sender=keeper)
        receipt = registry.advance(fan_out, asked, sender=keeper)
        assert expected == len(logs(registry.StepDispatched, receipt)) == asked

    assert registry.advance.call(fan_out, 0, sender=keeper) == 0
    receipt = registry.advance(fan_out, 0, sender=keeper)
    assert logs(registry.StepDispatched, receipt) == []


def test_advance_with_nothing_queued_returns_zero_and_changes_nothing(registry: Any, fan_out: int, keeper: Any) -> None:
    before = registry.getWorkflow(fan_out)
    assert registry.advance.call(fan_out, 5, sender=keeper) == 0
    receipt = registry.advance(fan_out, 5, sender=keeper)
    assert list(receipt.events) == []
    assert registry.getWorkflow(fan_out) == before


def test_a_keeper_may_ask_advance_for_everything(registry: Any, driver: Any, fan_out: int, keeper: Any) -> None:
    """Keepers call `advance` blindly; a huge maxDispatches must mean "as many as there are"."""
    driver.answer(job_of(registry, fan_out, 0))
    receipt = registry.advance(fan_out, 2**256 - 1, sender=keeper)
    assert len(logs(registry.StepDispatched, receipt)) == FAN_OUT - MAX_DISPATCH


def test_advance_rejects_unknown_and_stopped_workflows(
    registry: Any, driver: Any, fan_out: int, user: Any, keeper: Any
) -> None:
    with reverts(registry.UnknownWorkflow, workflowId=fan_out + 1):
        registry.advance(fan_out + 1, 1, sender=keeper)
    registry.pause(fan_out, sender=user)
    with reverts(registry.WrongWorkflowStatus, workflowId=fan_out, status=Status.PAUSED):
        registry.advance(fan_out, 1, sender=keeper)
    registry.cancel(fan_out, sender=user)
    with reverts(registry.WrongWorkflowStatus, workflowId=fan_out, status=Status.CANCELLED):
        registry.advance(fan_out, 1, sender=keeper)
