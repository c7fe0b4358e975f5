"""Contract owners are told when their workflow ends; a client that misbehaves cannot stop the end."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import pytest
from contract_helpers import (
    ETHER,
    Status,
    arguments,
    assert_solvent,
    definition,
    job_of,
    logs,
    registry_events,
    selector,
)


class Reentry(IntEnum):
    """ReentrantClient.Reentry."""

    WITHDRAW = 0
    SUBMIT = 1
    CANCEL = 2


ONE_STEP = arguments([definition(1)])


@pytest.fixture
def reentrant(project: Any, registry: Any, user: Any) -> Any:
    return user.deploy(project.ReentrantClient, registry)


def submit_through(client: Any, registry: Any, driver: Any, user: Any, *args: Any) -> int:
    """The client submits a one-step workflow with 1 ether spare; returns its id."""
    driver.collect(client.submit(*args, ONE_STEP, sender=user, value=2 * ETHER))
    return registry.workflowCount()


def finish(registry: Any, driver: Any, workflow_id: int) -> Any:
    return driver.answer(job_of(registry, workflow_id, 0))


@pytest.mark.parametrize("reentry", list(Reentry), ids=[r.name.lower() for r in Reentry])
def test_a_client_reentering_the_registry_from_its_callback_gets_reentered(
    registry: Any, driver: Any, reentrant: Any, user: Any, reentry: Reentry
) -> None:
    other = submit_through(reentrant, registry, driver, user)
    finishing = submit_through(reentrant, registry, driver, user)
    reentrant.configure(reentry, other, False, sender=user)

    receipt = finish(registry, driver, finishing)

    assert registry_events(registry, receipt) == ["StepCompleted", "WorkflowCompleted", "Refunded"]
    outcome = reentrant.outcome()
    assert (outcome.workflowId, outcome.status) == (finishing, Status.COMPLETED)
    assert (outcome.reentrySucceeded, outcome.reentryError) == (False, selector(registry.Reentered))
    assert registry.getWorkflow(other).status == Status.RUNNING
    assert registry.refundableOf(reentrant) == ETHER
    assert registry.workflowCount() == finishing
    assert reentrant.balance == 0
    assert_solvent(registry)


def test_a_client_cancelling_another_workflow_from_its_callback_fails_only_its_notification(
    registry: Any, driver: Any, reentrant: Any, user: Any
) -> None:
    other = submit_through(reentrant, registry, driver, user)
    finishing = submit_through(reentrant, registry, driver, user)
    reentrant.configure(Reentry.CANCEL, other, True, sender=user)  # re-raises Reentered

    receipt = finish(registry, driver, finishing)

    assert registry_events(registry, receipt) == [
        "StepCompleted",
        "WorkflowCompleted",
        "Refunded",
        "ClientNotificationFailed",
    ]
    (failed,) = logs(registry.ClientNotificationFailed, receipt)
    assert (failed.workflowId, failed.client) == (finishing, reentrant.address)
    assert registry.getWorkflow(finishing).status == Status.COMPLETED
    assert registry.getWorkflow(other).status == Status.RUNNING


@pytest.mark.parametrize("ending", [Status.FAILED, Status.CANCELLED])
def test_a_client_is_told_how_its_workflow_ended(
    registry: Any, driver: Any, reentrant: Any, user: Any, ending: Status
) -> None:
    workflow_id = submit_through(reentrant, registry, driver, user)
    reentrant.configure(Reentry.CANCEL, workflow_id, False, sender=user)
    if ending == Status.FAILED:
        driver.answer(job_of(registry, workflow_id, 0), failure="broken")
    else:
        reentrant.cancel(workflow_id, sender=user)

    outcome = reentrant.outcome()
    assert (outcome.workflowId, outcome.status) == (workflow_id, ending)
    # Even cancelling the very workflow being reported is refused while the registry is busy with it.
    assert outcome.reentryError == selector(registry.Reentered)


def test_a_reverting_client_cannot_stop_its_workflow_from_ending(
    project: Any, registry: Any, driver: Any, user: Any
) -> None:
    client = user.deploy(project.RevertingClient)
    workflow_id = submit_through(client, registry, driver, user, registry)

    receipt = finish(registry, driver, workflow_id)

    assert registry_events(registry, receipt)[-1] == "ClientNotificationFailed"
    (failed,) = logs(registry.ClientNotificationFailed, receipt)
    assert (failed.workflowId, failed.client) == (workflow_id, client.address)
    assert registry.getWorkflow(workflow_id).status == Status.COMPLETED
    assert registry.refundableOf(client) == ETHER


def test_a_gas_burning_client_costs_the_finishing_call_no_more_than_its_stipend(
    project: Any, registry: Any, driver: Any, user: Any
) -> None:
    burner = user.deploy(project.GasBurningClient)
    reverter = user.deploy(project.RevertingClient)
    burning = submit_through(burner, registry, driver, user, registry)
    reverting = submit_through(reverter, registry, driver, user, registry)

    burnt = finish(registry, driver, burning)
    reverted = finish(registry, driver, reverting)

    assert registry_events(registry, burnt)[-1] == "ClientNotificationFailed"
    assert registry.getWorkflow(burning).status == Status.COMPLETED
    assert burner.spins() == 0
    assert burnt.gas_used - reverted.gas_used <= 50_000  # CLIENT_NOTIFICATION_GAS
    assert_solvent(registry)
