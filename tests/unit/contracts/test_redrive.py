"""`redrive`: a Failed or Cancelled workflow's next run, owner only, paid by a top-up; completed steps keep their
results, the others start again from attempt 1; old runs' answers are ignored and their late refunds land in the
current run; each run's money is its own, to the wei; an owner contract hears of every run's end."""

from __future__ import annotations

from typing import Any

import ape
import pytest
from contract_helpers import (
    ETHER,
    Status,
    StepStatus,
    arguments,
    assert_solvent,
    definition,
    fees_of,
    job_of,
    label,
    least_gas_that_does_not_revert,
    logs,
    outcome_with_gas,
    ref,
    registry_events,
    reverts,
    run_to_end,
    step,
    text,
    workflow,
)

from tinyhops.chain.address_book import Deployment
from tinyhops.chain.deploy import deploy_local_lilypad_v2, deploy_registry_v2
from tinyhops.chain.registry_client import RegistryClient
from tinyhops.encoding.workflow_options import WorkflowOptions
from tinyhops.errors import SubmitError

# a -> b -> c; b fails its only attempt, so a redrive puts b (ready) and c (waiting) back into play.
CHAIN = workflow(
    step(1),
    step(2, needs=[1], params="after {{stepId:1}}"),
    step(3, needs=[2], params="after {{stepId:2}}", retries=1),
)
CHAIN_REDRIVE = ETHER + 2 * ETHER  # b once, c twice


@pytest.fixture
def failed(driver: Any, user: Any, registry: Any) -> int:
    """CHAIN with its first step completed and its second failed."""
    workflow_id, _ = driver.submit(CHAIN, user)
    driver.answer(job_of(registry, workflow_id, 0), label("a"))
    driver.answer(job_of(registry, workflow_id, 1), failure="boom")
    assert registry.getWorkflow(workflow_id).status == Status.FAILED
    return workflow_id


def redrive(driver: Any, workflow_id: int, sender: Any, value: int = CHAIN_REDRIVE) -> Any:
    return driver.collect(driver.registry.redrive(workflow_id, sender=sender, value=value))


def test_a_redriven_workflow_keeps_its_results_and_runs_the_rest_from_attempt_one(
    registry: Any, driver: Any, failed: int, user: Any
) -> None:
    first_result = registry.resultOf(failed, 1)
    receipt = redrive(driver, failed, user)
    assert registry_events(registry, receipt) == [
        "WorkflowRedriven", "StepRedriven", "StepRedriven", "StepDispatched",
    ]
    (redriven,) = logs(registry.WorkflowRedriven, receipt)
    assert (redriven.workflowId, redriven.run, redriven.deposit, redriven.stepsRedriven) == (
        failed, 2, CHAIN_REDRIVE, 2,
    )
    assert [(e.stepIndex, e.stepId, e.ready) for e in logs(registry.StepRedriven, receipt)] == [
        (1, 2, True), (2, 3, False),
    ]
    (dispatched,) = logs(registry.StepDispatched, receipt)
    assert (dispatched.stepIndex, dispatched.attempt) == (1, 1)
    summary = registry.getWorkflow(failed)
    assert (summary.status, summary.run, summary.completedCount, summary.inFlightCount) == (Status.RUNNING, 2, 1, 1)
    assert (summary.balance, summary.spent, summary.refunded) == (CHAIN_REDRIVE - ETHER, ETHER, 0)
    steps = registry.getSteps(failed)
    assert [s.status for s in steps] == [StepStatus.COMPLETED, StepStatus.DISPATCHED, StepStatus.WAITING]
    assert [s.attempts for s in steps] == [1, 1, 0]

    run_to_end(driver, failed)
    summary = registry.getWorkflow(failed)
    assert (summary.status, summary.run, summary.completedCount) == (Status.COMPLETED, 2, 3)
    assert registry.resultOf(failed, 1) == first_result
    assert (summary.spent, summary.refunded) == (2 * ETHER, ETHER)  # c's retry was not needed
    assert_solvent(registry)


def test_attack_only_the_owner_may_redrive(registry: Any, failed: int, stranger: Any, keeper: Any) -> None:
    for caller in (stranger, keeper):
        with reverts(registry.NotWorkflowOwner, workflowId=failed, caller=caller):
            registry.redrive(failed, sender=caller, value=CHAIN_REDRIVE)
    with reverts(registry.UnknownWorkflow, workflowId=failed + 1):
        registry.redrive(failed + 1, sender=stranger, value=CHAIN_REDRIVE)


def test_attack_a_completed_or_live_workflow_cannot_be_redriven(registry: Any, driver: Any, user: Any) -> None:
    workflow_id, _ = driver.submit(CHAIN, user)
    with reverts(registry.WrongWorkflowStatus, workflowId=workflow_id, status=Status.RUNNING):
        registry.redrive(workflow_id, sender=user, value=CHAIN_REDRIVE)
    registry.pause(workflow_id, sender=user)
    with reverts(registry.WrongWorkflowStatus, workflowId=workflow_id, status=Status.PAUSED):
        registry.redrive(workflow_id, sender=user, value=CHAIN_REDRIVE)
    registry.resume(workflow_id, sender=user)
    run_to_end(driver, workflow_id)
    with reverts(registry.WrongWorkflowStatus, workflowId=workflow_id, status=Status.COMPLETED):
        registry.redrive(workflow_id, sender=user, value=CHAIN_REDRIVE)


def test_attack_a_cancelled_workflow_whose_every_step_has_its_result_cannot_be_redriven(
    project: Any, registry: Any, driver: Any, user: Any, lilypad: Any, provider: Any
) -> None:
    """Found by the state machine: a runner-mode workflow whose last result is recorded stays Running until its
    runner ends it, and its owner may cancel it then. A redrive of it had nothing to run and broke the rule that
    a running workflow has a step ready or in flight."""
    runner = WorkflowOptions(runner=True, maxGasPrice=0, premium=0, maxPaidPerCall=0, gasDeposit=ETHER // 10)
    workflow_id, _ = driver.submit(workflow(step(1)), user, options=runner)
    driver.answer(job_of(registry, workflow_id, 0), label("only"))
    summary = registry.getWorkflow(workflow_id)
    assert (summary.status, summary.completedCount) == (Status.RUNNING, 1)  # the runner ends it
    registry.cancel(workflow_id, sender=user)
    with reverts(registry.NothingToRedrive, workflowId=workflow_id):
        registry.redrive(workflow_id, sender=user, value=ETHER)
    deployment = Deployment(ape.chain.chain_id, registry.address, lilypad.address, True, provider.address, 0, "v1")
    with pytest.raises(SubmitError, match=f"workflow {workflow_id}: every step already has its result; there is"):
        RegistryClient(project, deployment).redrive(workflow_id, user)  # refused before anything is sent
    summary = registry.getWorkflow(workflow_id)
    assert (summary.status, summary.run) == (Status.CANCELLED, 1)
    assert_solvent(registry)


def test_attack_a_redrive_must_pay_every_attempt_of_every_step_back_in_play(
    registry: Any, failed: int, user: Any
) -> None:
    with reverts(registry.InsufficientDeposit, required=CHAIN_REDRIVE, provided=CHAIN_REDRIVE - 1):
        registry.redrive(failed, sender=user, value=CHAIN_REDRIVE - 1)
    assert registry.getWorkflow(failed).status == Status.FAILED


def test_attack_an_old_runs_late_answer_is_ignored_and_its_refund_lands_in_the_new_run(
    registry: Any, driver: Any, user: Any, lilypad: Any
) -> None:
    workflow_id, _ = driver.submit(CHAIN, user)
    old_job = job_of(registry, workflow_id, 0)
    registry.cancel(workflow_id, sender=user)  # a is cancelled in flight: its 1 ether is with Lilypad
    refund_of_run_one = CHAIN.required_deposit_wei - ETHER
    assert registry.refundableOf(user) == refund_of_run_one
    redrive(driver, workflow_id, user, value=4 * ETHER)
    new_job = job_of(registry, workflow_id, 0)
    assert new_job != old_job and registry.getStep(workflow_id, 0).attempts == 1
    assert not registry.jobInFlight(old_job) and registry.jobInFlight(new_job)
    assert registry.jobOf(old_job) == (workflow_id, 0, 1)

    # The provider answers the old run's job (same step, same attempt number): ignored, and LocalLilypad
    # sends its payment back, which this run's escrow takes as a deposit (run one's spending is over).
    receipt = driver.answer(old_job, label("stale"))
    assert registry_events(registry, receipt) == ["JobRefunded", "ResultIgnored"]
    (ignored,) = logs(registry.ResultIgnored, receipt)
    assert (ignored.workflowId, ignored.stepIndex, ignored.attempt) == (workflow_id, 0, 1)
    summary = registry.getWorkflow(workflow_id)
    assert (summary.status, summary.completedCount, summary.spent, summary.balance) == (
        Status.RUNNING, 0, ETHER, 4 * ETHER,
    )
    assert registry.getStep(workflow_id, 0).status == StepStatus.DISPATCHED

    run_to_end(driver, workflow_id)
    summary = registry.getWorkflow(workflow_id)
    assert summary.status == Status.COMPLETED
    assert registry.resultOf(workflow_id, 1) != label("stale")
    # 4 topped up + 1 sent back, 3 spent on a, b, c
    assert (summary.spent, summary.refunded) == (3 * ETHER, 2 * ETHER)
    assert registry.refundableOf(user) == refund_of_run_one + 2 * ETHER
    assert_solvent(registry)


def test_a_notification_dropped_when_a_run_ended_is_counted_again(registry: Any, driver: Any, user: Any) -> None:
    diamond = workflow(step(1), step(2), step(3, needs=[1, 2], params="{{stepId:1}} {{stepId:2}}"))
    workflow_id, _ = driver.submit(diamond, user)
    registry.pause(workflow_id, sender=user)
    driver.answer(job_of(registry, workflow_id, 0))  # paused: telling step 3 waits in the queue
    assert registry.getWorkflow(workflow_id).queuedCount == 1
    registry.cancel(workflow_id, sender=user)  # the queue is dropped with the run
    receipt = redrive(driver, workflow_id, user, value=2 * ETHER)
    assert [(e.stepIndex, e.ready) for e in logs(registry.StepRedriven, receipt)] == [(1, True), (2, False)]
    driver.answer(job_of(registry, workflow_id, 1))  # step 3 now has both results and is dispatched
    assert registry.getStep(workflow_id, 2).status == StepStatus.DISPATCHED
    run_to_end(driver, workflow_id)
    assert registry.getWorkflow(workflow_id).status == Status.COMPLETED


def test_every_run_is_accounted_on_its_own_to_the_wei(registry: Any, driver: Any, failed: int, user: Any) -> None:
    first = registry.getWorkflow(failed)
    deposits, refunds, spent = [CHAIN.required_deposit_wei], [first.refunded], [first.spent]
    for _ in range(2):  # b fails again in run two, then completes in run three
        before = user.balance
        receipt = redrive(driver, failed, user, value=CHAIN_REDRIVE + ETHER)
        assert user.balance == before - CHAIN_REDRIVE - ETHER - fees_of(receipt)
        deposits.append(CHAIN_REDRIVE + ETHER)
        if len(deposits) == 2:
            driver.answer(job_of(registry, failed, 1), failure="boom again")
        else:
            run_to_end(driver, failed)
        summary = registry.getWorkflow(failed)
        assert summary.refunded == deposits[-1] - summary.spent
        refunds.append(summary.refunded)
        spent.append(summary.spent)
    assert registry.getWorkflow(failed).run == 3
    # a in run one, b and c in run three: LocalLilypad sends a failed job's payment back at once
    assert spent == [ETHER, 0, 2 * ETHER]
    assert sum(deposits) - sum(refunds) == sum(spent)
    assert registry.refundableOf(user) == sum(refunds)
    assert_solvent(registry)


def test_a_redrive_whose_dispatch_reverts_ends_its_run_at_once(
    registry: Any, driver: Any, user: Any, lilypad: Any, deployer: Any
) -> None:
    workflow_id, _ = driver.submit(CHAIN, user)
    registry.cancel(workflow_id, sender=user)
    lilypad.setModuleCost("cowsay:v0.0.1", 2 * ETHER, sender=deployer)  # a's cost is now too low
    try:
        receipt = redrive(driver, workflow_id, user, value=4 * ETHER)
    finally:
        lilypad.setModuleCost("cowsay:v0.0.1", ETHER, sender=deployer)
    assert registry_events(registry, receipt)[-3:] == ["StepFailed", "WorkflowFailed", "Refunded"]
    summary = registry.getWorkflow(workflow_id)
    assert (summary.status, summary.run, summary.spent, summary.refunded) == (Status.FAILED, 2, 0, 4 * ETHER)
    assert_solvent(registry)


# ---------------------------------------------------------------- an owner contract: MemeStudio

MEME = arguments(
    [
        definition(1, params=text("a caption about cows")),
        definition(2, params=text("a cow, photorealistic")),
        definition(3, needs=[0, 1], params=text("put ") + ref(0) + text(" on ") + ref(1)),
    ]
)


def test_attack_the_studio_hears_of_and_settles_every_run_to_the_wei(
    project: Any, registry: Any, driver: Any, deployer: Any, accounts: Any, stranger: Any
) -> None:
    alice = accounts[5]
    studio = deployer.deploy(project.MemeStudio, registry)
    receipt = driver.collect(studio.order(MEME, 3, sender=alice, value=3 * ETHER + ETHER))
    (ordered,) = logs(studio.MemeOrdered, receipt)
    workflow_id = ordered.workflowId
    driver.answer(job_of(registry, workflow_id, 0), label("caption"))
    receipt = driver.answer(job_of(registry, workflow_id, 1), failure="no gpu")  # run one fails
    assert [e.status for e in logs(studio.MemeFinished, receipt)] == [Status.FAILED]
    refund_one = 4 * ETHER - ETHER  # only a was paid for: LocalLilypad sent b's payment back with its failure
    assert registry.getWorkflow(workflow_id).refunded == refund_one

    with reverts(studio.NotCustomer, workflowId=workflow_id, caller=stranger):
        studio.redrive(workflow_id, sender=stranger, value=2 * ETHER)
    receipt = driver.collect(studio.redrive(workflow_id, sender=alice, value=3 * ETHER))
    (credited,) = logs(studio.RefundCredited, receipt)  # run one settled before run two starts
    assert credited.amount == refund_one
    (redriven,) = logs(studio.MemeRedriven, receipt)
    assert (redriven.run, redriven.deposit) == (2, 3 * ETHER)
    assert studio.orders(workflow_id).status == Status.NONE

    receipts = run_to_end(driver, workflow_id)
    finished = [e.status for r in receipts for e in logs(studio.MemeFinished, r)]
    assert finished == [Status.COMPLETED]
    assert studio.memeOf(workflow_id) == registry.resultOf(workflow_id, 3)
    (credited,) = logs(studio.RefundCredited, studio.settle(workflow_id, sender=stranger))
    assert credited.amount == ETHER  # run two's: 3 deposited, b and c paid for
    with reverts(studio.AlreadySettled, workflowId=workflow_id):
        studio.settle(workflow_id, sender=stranger)

    spent = ETHER + ETHER + ETHER  # a in run one; b and c in run two
    assert studio.refundOf(alice) == 4 * ETHER + 3 * ETHER - spent
    before = alice.balance
    receipt = studio.withdrawRefund(sender=alice)
    assert alice.balance == before + 4 * ETHER - fees_of(receipt)
    assert studio.balance == 0 and registry.refundableOf(studio) == 0
    assert_solvent(registry)


def test_attack_a_run_ending_notification_deferred_by_a_starved_callback_is_made_before_the_next_run(
    project: Any, chain: Any, registry: Any, driver: Any, lilypad: Any, deployer: Any, provider: Any, accounts: Any
) -> None:
    alice = accounts[5]
    studio = deployer.deploy(project.MemeStudio, registry)
    driver.collect(studio.order(arguments([definition(1)]), 1, sender=alice, value=ETHER))
    workflow_id = registry.workflowCount()
    job = job_of(registry, workflow_id, 0)
    fail = outcome_with_gas(chain, registry, provider, lilypad.postFailure, job, "boom",
                            bad_event="ClientNotificationDeferred")
    least = least_gas_that_does_not_revert(fail, 50_000, 1_000_000)
    receipt = lilypad.postFailure(job, "boom", sender=provider, gas_limit=least)
    assert logs(registry.ClientNotificationDeferred, receipt) and studio.orders(workflow_id).status == Status.NONE

    receipt = driver.collect(studio.redrive(workflow_id, sender=alice, value=ETHER))
    assert [e.status for e in logs(studio.MemeFinished, receipt)] == [Status.FAILED]  # run one's end, told first
    order = [log.event_name for log in receipt.events]
    assert order.index("MemeFinished") < order.index("WorkflowRedriven"), order
    assert studio.orders(workflow_id).status == Status.NONE  # run two is live
    run_to_end(driver, workflow_id)
    assert studio.orders(workflow_id).status == Status.COMPLETED
    assert_solvent(registry)


# ---------------------------------------------------------------- Lilypad v2: the top-up in tokens

HOUR = 3600


@pytest.fixture(scope="module")
def v2(project: Any, deployer: Any, user: Any, stranger: Any, provider: Any) -> Any:
    job_creator = deploy_local_lilypad_v2(project, deployer, provider, ETHER)
    token = project.LocalLilypadToken.at(job_creator.getTokenAddress())
    registry = deploy_registry_v2(project, deployer, job_creator).registry
    for account in (user, stranger):
        token.mint(account, 100 * ETHER, sender=deployer)
        token.approve(registry, 2**256 - 1, sender=account)
    return registry, job_creator, token


def test_a_v2_redrive_pulls_its_top_up_in_tokens_and_completes(
    v2: Any, chain: Any, user: Any, provider: Any, stranger: Any
) -> None:
    registry, job_creator, token = v2
    steps = [
        tuple(definition(1, timeout=HOUR, params=text("Message=hi"))),
        tuple(definition(2, timeout=HOUR, needs=[0], params=text("Message=") + ref(0))),
    ]
    receipt = registry.submit(steps, 2 * ETHER, sender=user)
    (submitted,) = logs(registry.WorkflowSubmitted, receipt)
    workflow_id = submitted.workflowId
    job_creator.submitResults(1, "deal-1", label("hi"), sender=provider)
    chain.mine(deltatime=HOUR + 1)
    registry.expire(workflow_id, 1, sender=stranger)  # step 2 never answered: the run fails
    assert registry.getWorkflow(workflow_id).status == Status.FAILED
    with reverts(registry.InsufficientDeposit, required=ETHER, provided=ETHER - 1):
        registry.redrive(workflow_id, ETHER - 1, sender=user)
    with reverts(registry.NotWorkflowOwner, workflowId=workflow_id, caller=stranger):
        registry.redrive(workflow_id, ETHER, sender=stranger)

    before = token.balanceOf(user)
    receipt = registry.redrive(workflow_id, ETHER, sender=user)
    assert token.balanceOf(user) == before - ETHER
    (dispatched,) = logs(registry.StepDispatched, receipt)
    assert (dispatched.stepIndex, dispatched.attempt) == (1, 1)
    old_job = 2
    receipt = job_creator.submitResults(old_job, "deal-2", label("late"), sender=provider)
    assert registry_events(registry, receipt) == ["ResultIgnored"]
    job_creator.submitResults(dispatched.jobId, "deal-3", label("done"), sender=provider)
    summary = registry.getWorkflow(workflow_id)
    assert (summary.status, summary.run, summary.spent, summary.refunded) == (Status.COMPLETED, 2, ETHER, 0)
    assert registry.resultOf(workflow_id, 2) == label("done")
