"""Underpaying gas must not fail a workflow nor skip a client's notification: the starved call reverts instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contract_helpers import (
    ETHER,
    Status,
    arguments,
    definition,
    label,
    least_gas_that_does_not_revert,
    logs,
    outcome_with_gas,
    reverts,
)

from tinyhops.chain.deploy import deploy_registry
from tinyhops.spec import limits


def deferred_root(registry: Any, user: Any) -> int:
    """A workflow whose last root was deferred at submit, for a keeper's `advance` to dispatch."""
    roots = [definition(i + 1, module="free:v1") for i in range(limits.MAX_DISPATCH_PER_DELIVERY + 1)]
    registry.submit(arguments(roots), sender=user, value=len(roots) * ETHER)
    workflow_id = registry.workflowCount()
    assert registry.getWorkflow(workflow_id).queuedCount == 1
    return workflow_id


def _never_fails_the_step(outcome: Callable[[int], str], gas_limits: range) -> list[str]:
    """Every outcome over a sweep of gas limits; a starved dispatch must revert or wait, never fail."""
    seen = [outcome(gas) for gas in gas_limits]
    assert "StepFailed" not in seen, list(zip(gas_limits, seen, strict=True))
    return seen


def test_a_keeper_starving_a_dispatch_cannot_fail_the_workflow(
    chain: Any, registry: Any, user: Any, keeper: Any
) -> None:
    workflow_id = deferred_root(registry, user)
    outcome = outcome_with_gas(chain, registry, keeper, registry.advance, workflow_id, 1)
    seen = _never_fails_the_step(outcome, range(40_000, 1_400_000, 45_000))
    assert "ok" in seen
    receipt = registry.advance(workflow_id, 1, sender=keeper)
    assert len(logs(registry.StepDispatched, receipt)) == 1, "with enough gas the queued root is dispatched"
    assert registry.getWorkflow(workflow_id).status == Status.RUNNING


def test_a_keeper_starving_a_lilypad_that_nests_calls_cannot_fail_the_workflow(
    project: Any, chain: Any, deployer: Any, user: Any, keeper: Any
) -> None:
    """Starving a call nested inside Lilypad must not fail the step either.

    Real Lilypad's job submission calls into other contracts; GasHungryLilypad does the same with one
    expensive inner call (about a million gas). A check made only after the call (did it revert with under
    1/64 of its gas left?) misses this: starving the inner call leaves the registry several 64ths, enough to
    record "dispatch reverted" and fail the workflow for good. The registry instead dispatches only when it
    can guarantee Lilypad's call the gas it was deployed with; with less, the step waits in the queue.
    """
    hungry = deployer.deploy(project.GasHungryLilypad)
    registry = deploy_registry(project, deployer, hungry, dispatch_gas=3_000_000).registry
    workflow_id = deferred_root(registry, user)
    outcome = outcome_with_gas(chain, registry, keeper, registry.advance, workflow_id, 1)
    _never_fails_the_step(outcome, range(200_000, 4_000_000, 200_000))
    receipt = registry.advance(workflow_id, 1, sender=keeper, gas_limit=6_000_000)
    assert len(logs(registry.StepDispatched, receipt)) == 1
    assert registry.getWorkflow(workflow_id).status == Status.RUNNING


def test_a_provider_starving_a_client_notification_cannot_skip_it(
    project: Any, chain: Any, registry: Any, lilypad: Any, driver: Any, user: Any, provider: Any
) -> None:
    client = user.deploy(project.ReentrantClient, registry)
    driver.collect(client.submit(arguments([definition(1)]), sender=user, value=ETHER))
    job = registry.getStep(1, 0).jobId
    outcome = outcome_with_gas(
        chain, registry, provider, lilypad.postResult, job, label("done"), bad_event="ClientNotificationFailed"
    )
    least = least_gas_that_does_not_revert(outcome, 50_000, 1_000_000)
    assert outcome(least) == "ok"


def test_attack_a_lilypad_calling_back_with_too_little_gas_for_the_owner_contract_still_delivers_the_result(
    project: Any, chain: Any, registry: Any, lilypad: Any, driver: Any, user: Any, provider: Any, keeper: Any
) -> None:
    """Finding 7: a Lilypad that calls back with a fixed gas amount, enough to record the last result but not
    to give the owner contract's `onWorkflowFinished` its stipend, used to make the delivery revert
    (InsufficientGas), so the answer could never land. Now the result is recorded, the notification waits
    (ClientNotificationDeferred), and any `advance` makes it."""
    studio = user.deploy(project.MemeStudio, registry)
    driver.collect(studio.order(arguments([definition(1)]), 1, sender=user, value=ETHER))
    workflow_id = registry.workflowCount()
    job = registry.getStep(workflow_id, 0).jobId
    deliver = outcome_with_gas(
        chain, registry, provider, lilypad.postResult, job, label("meme"), bad_event="ClientNotificationDeferred"
    )
    least = least_gas_that_does_not_revert(deliver, 50_000, 1_000_000)
    assert deliver(least) == "ClientNotificationDeferred", "the least gas that delivers must defer, not revert"
    # Monotonic: from there up, every gas limit delivers; with enough, the notification is made at once.
    seen = [deliver(gas) for gas in range(least, least + 120_000, 4_000)]
    assert "reverted" not in seen and seen[-1] == "ok", seen

    transaction = lilypad.postResult(job, label("meme"), sender=provider, gas_limit=least)
    assert [log.client for log in logs(registry.ClientNotificationDeferred, transaction)] == [studio.address]
    assert registry.getWorkflow(workflow_id).status == Status.COMPLETED
    assert registry.resultOf(workflow_id, 1) == label("meme")
    assert studio.orders(workflow_id).status == 0, "not told yet"

    receipt = registry.advance(workflow_id, 0, sender=keeper)
    assert studio.orders(workflow_id).status == Status.COMPLETED, "advance made the deferred notification"
    assert not logs(registry.ClientNotificationDeferred, receipt)
    # Made once: a second advance on the ended workflow is refused as before.
    with reverts(registry.WrongWorkflowStatus, workflowId=workflow_id, status=Status.COMPLETED):
        registry.advance(workflow_id, 0, sender=keeper)


def test_a_delivery_to_a_paused_workflow_does_bounded_work_whatever_is_queued(
    registry: Any, driver: Any, user: Any, as_lilypad: Any
) -> None:
    """Finding 7: notifications queued while paused (one per result) are worked off only by `resume` and
    `advance`, at most MAX_NOTIFY_PER_DELIVERY per dispatch budget; a delivery into a paused workflow only
    records and queues, so its gas does not grow with the queue."""
    roots = [definition(i + 1, module="free:v1") for i in range(8)]
    fan_in = definition(100, module="free:v1", needs=list(range(8)))
    registry.submit(arguments([*roots, fan_in]), sender=user, value=9 * ETHER)
    workflow_id = registry.workflowCount()
    while registry.getWorkflow(workflow_id).queuedCount:
        registry.advance(workflow_id, 4, sender=user)
    registry.pause(workflow_id, sender=user)
    gas_used = []
    for index in range(8):
        receipt = registry.receiveJobResults(
            registry.getStep(workflow_id, index).jobId, label(f"r{index}"), sender=as_lilypad
        )
        gas_used.append(receipt.gas_used)
        assert registry.getWorkflow(workflow_id).queuedCount == index + 1
    assert max(gas_used) - min(gas_used) < 25_000, gas_used  # no growth with the queue's length
    receipt = registry.resume(workflow_id, sender=user)
    assert registry.getWorkflow(workflow_id).queuedCount > 0, "resume works off a bounded share of the queue"
    while registry.getWorkflow(workflow_id).queuedCount:
        registry.advance(workflow_id, 1, sender=user)
    assert registry.getStep(workflow_id, 8).status == 2  # the fan-in step was dispatched
