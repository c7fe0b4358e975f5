"""Keepers paid from a workflow's gas deposit, and runner mode: attacks first (a keeper looping on `advance`
with nothing to do, a gas price above the cap, the per-call cap, a gas deposit running dry), then the
accounting to the wei at the end."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from contract_helpers import (
    ETHER,
    Status,
    StepStatus,
    arguments,
    assert_solvent,
    job_of,
    label,
    logs,
    reverts,
    step,
    workflow,
)

from tinyhops.encoding.workflow_options import WorkflowOptions
from tinyhops.spec import limits
from tinyhops.spec.model import KeeperBudget

GWEI = 10**9
GAS_DEPOSIT = ETHER // 10
# A price the keeper's transactions pay, far above the base fee of the local chain.
PRICE = {"max_fee": 3 * GWEI, "max_priority_fee": 2 * GWEI}


def chain_of_three() -> Any:
    return workflow(step(1), step(2, needs=[1], params="{{stepId:1}}"), step(3, needs=[2], params="{{stepId:2}}"))


def options(**fields: Any) -> WorkflowOptions:
    defaults = {"runner": True, "maxGasPrice": 0, "premium": 0, "maxPaidPerCall": 0, "gasDeposit": GAS_DEPOSIT}
    return WorkflowOptions(**{**defaults, **fields})


@pytest.fixture
def runner_flow(driver: Any, user: Any) -> int:
    workflow_id, _ = driver.submit(chain_of_three(), user, options=options())
    return workflow_id


def paid(registry: Any, receipt: Any) -> list[Any]:
    return logs(registry.KeeperReimbursed, receipt)


def ratio(log: Any, receipt: Any, premium: int = 0) -> float:
    """What the keeper was paid, premium aside, over what its transaction really cost."""
    return (log.amount - premium) / (receipt.gas_used * receipt.gas_price)


def test_in_runner_mode_a_callback_only_records_and_queues(registry: Any, driver: Any, runner_flow: int) -> None:
    receipt = driver.answer(job_of(registry, runner_flow, 0), label("ONE"))

    assert logs(registry.StepCompleted, receipt)
    assert not logs(registry.StepDispatched, receipt)
    assert registry.getStep(runner_flow, 1).status == StepStatus.WAITING
    assert registry.getWorkflow(runner_flow).queuedCount == 1
    assert registry.keeperAccountOf(runner_flow).runner


def test_a_runner_dispatches_and_is_paid_about_what_its_call_cost(
    registry: Any, driver: Any, keeper: Any, runner_flow: int
) -> None:
    driver.answer(job_of(registry, runner_flow, 0), label("ONE"))

    receipt = registry.advance(runner_flow, 8, sender=keeper, **PRICE)

    assert [log.stepIndex for log in logs(registry.StepDispatched, receipt)] == [1]
    (log,) = paid(registry, receipt)
    assert log.keeper == keeper.address
    assert 0.9 <= ratio(log, receipt) <= 1.1
    assert registry.gasBalanceOf(keeper) == log.amount
    assert registry.keeperAccountOf(runner_flow).gasPaid == log.amount


def test_a_keeper_calling_advance_in_a_loop_with_nothing_to_do_is_paid_nothing(
    registry: Any, driver: Any, keeper: Any, runner_flow: int
) -> None:
    driver.answer(job_of(registry, runner_flow, 0), label("ONE"))
    registry.advance(runner_flow, 8, sender=keeper, **PRICE)
    earned = registry.gasBalanceOf(keeper)

    for _ in range(5):
        receipt = registry.advance(runner_flow, 8, sender=keeper, **PRICE)
        assert not paid(registry, receipt)
    receipt = registry.advance(runner_flow, 0, sender=keeper, **PRICE)

    assert not paid(registry, receipt)
    assert registry.gasBalanceOf(keeper) == earned
    assert registry.keeperAccountOf(runner_flow).gasDeposit == GAS_DEPOSIT - earned


def test_a_gas_price_above_the_cap_is_paid_at_the_cap(registry: Any, driver: Any, user: Any, keeper: Any) -> None:
    cap = GWEI // 2
    workflow_id, _ = driver.submit(chain_of_three(), user, options=options(maxGasPrice=cap))
    driver.answer(job_of(registry, workflow_id, 0), label("ONE"))

    receipt = registry.advance(workflow_id, 8, sender=keeper, **PRICE)

    (log,) = paid(registry, receipt)
    assert receipt.gas_price > cap
    assert log.amount == log.gasUsed * cap
    assert 0.9 <= log.gasUsed / receipt.gas_used <= 1.1


def test_the_per_call_cap_holds_premium_included(registry: Any, driver: Any, user: Any, keeper: Any) -> None:
    cap = 10**12
    workflow_id, _ = driver.submit(chain_of_three(), user, options=options(premium=10**13, maxPaidPerCall=cap))
    driver.answer(job_of(registry, workflow_id, 0), label("ONE"))

    (log,) = paid(registry, registry.advance(workflow_id, 8, sender=keeper, **PRICE))

    assert log.amount == cap


def test_the_premium_is_paid_on_top_of_the_gas(registry: Any, driver: Any, user: Any, keeper: Any) -> None:
    premium = 12345
    workflow_id, _ = driver.submit(chain_of_three(), user, options=options(premium=premium))
    driver.answer(job_of(registry, workflow_id, 0), label("ONE"))

    receipt = registry.advance(workflow_id, 8, sender=keeper, **PRICE)

    (log,) = paid(registry, receipt)
    assert log.amount == log.gasUsed * receipt.gas_price + premium


def test_a_gas_deposit_running_dry_never_touches_the_step_escrow(
    registry: Any, driver: Any, user: Any, keeper: Any
) -> None:
    tiny = 1000
    workflow_id, _ = driver.submit(chain_of_three(), user, options=options(gasDeposit=tiny))
    escrow = registry.getWorkflow(workflow_id).balance
    driver.answer(job_of(registry, workflow_id, 0), label("ONE"))

    (log,) = paid(registry, registry.advance(workflow_id, 8, sender=keeper, **PRICE))
    driver.answer(job_of(registry, workflow_id, 1), label("TWO"))
    receipt = registry.advance(workflow_id, 8, sender=keeper, **PRICE)

    assert log.amount == tiny
    assert not paid(registry, receipt)  # dispatched, unpaid: nothing is left to pay with
    assert logs(registry.StepDispatched, receipt)
    assert registry.getWorkflow(workflow_id).balance == escrow - 2 * ETHER  # only the two dispatches
    assert registry.keeperAccountOf(workflow_id).gasDeposit == 0
    assert_solvent(registry)


def test_the_end_refunds_the_unspent_gas_deposit_to_the_wei(
    registry: Any, driver: Any, user: Any, keeper: Any, stranger: Any, runner_flow: int
) -> None:
    registry.fundGas(runner_flow, sender=stranger, value=7)
    earned = 0
    for index in range(3):
        driver.answer(job_of(registry, runner_flow, index), label(f"S{index}"))
        receipt = registry.advance(runner_flow, 8, sender=keeper, **PRICE)
        earned += sum(log.amount for log in paid(registry, receipt))

    assert registry.getWorkflow(runner_flow).status == Status.COMPLETED
    (refund,) = logs(registry.GasRefunded, receipt)
    account = registry.keeperAccountOf(runner_flow)
    assert refund.amount == GAS_DEPOSIT + 7 - earned == account.gasRefunded
    assert account.gasPaid == earned == registry.gasBalanceOf(keeper)
    assert account.gasDeposit == 0
    assert registry.gasBalanceOf(user) == refund.amount
    assert_solvent(registry)

    before = keeper.balance
    receipt = registry.withdrawGas(sender=keeper)
    assert keeper.balance == before + earned - receipt.total_fees_paid
    with reverts(registry.NothingToWithdraw):
        registry.withdrawGas(sender=keeper)


def test_a_default_mode_workflow_with_a_budget_pays_its_expirer(
    registry: Any, driver: Any, user: Any, stranger: Any, chain: Any
) -> None:
    flow = workflow(step(1, timeout=60, retries=1))
    workflow_id, _ = driver.submit(flow, user, value=2 * ETHER, options=options(runner=False))
    chain.mine(deltatime=61)

    receipt = registry.expire(workflow_id, 0, sender=stranger, **PRICE)

    (log,) = paid(registry, receipt)
    assert log.keeper == stranger.address
    assert 0.9 <= ratio(log, receipt) <= 1.1
    assert logs(registry.StepDispatched, receipt)  # the retry, dispatched by the expiring call


def test_a_plain_submit_has_no_keeper_budget_and_takes_no_gas(registry: Any, driver: Any, user: Any) -> None:
    workflow_id, _ = driver.submit(chain_of_three(), user)

    with reverts(registry.NoKeeperBudget, workflowId=workflow_id):
        registry.fundGas(workflow_id, sender=user, value=1)
    account = registry.keeperAccountOf(workflow_id)
    assert (account.runner, account.gasDeposit) == (False, 0)
    assert account.maxGasPrice == limits.DEFAULT_MAX_GAS_PRICE
    assert account.maxPaidPerCall == limits.DEFAULT_MAX_PAID_PER_CALL


def test_a_gas_deposit_must_come_with_the_value(registry: Any, driver: Any, user: Any) -> None:
    steps = arguments(chain_of_three())
    with reverts(registry.GasDepositNotSent, gasDeposit=GAS_DEPOSIT, value=GAS_DEPOSIT - 1):
        registry.submit(steps, tuple(options()), sender=user, value=GAS_DEPOSIT - 1)


def test_the_gas_deposit_is_apart_from_the_step_deposit(registry: Any, driver: Any, user: Any) -> None:
    flow = replace(chain_of_three(), keeper=KeeperBudget(gas_deposit_wei=GAS_DEPOSIT))
    workflow_id, receipt = driver.submit(flow, user)

    summary = registry.getWorkflow(workflow_id)
    assert summary.balance + summary.spent == flow.required_deposit_wei
    (funded,) = logs(registry.GasFunded, receipt)
    assert (funded.workflowId, funded.amount) == (workflow_id, GAS_DEPOSIT)
    assert not registry.keeperAccountOf(workflow_id).runner


def test_a_workflow_failing_at_submit_refunds_its_gas_deposit(registry: Any, driver: Any, user: Any) -> None:
    underpaid = workflow(step(1, cost="0.5"))  # cowsay costs 1 ether on the stand-in: the dispatch reverts
    workflow_id, receipt = driver.submit(underpaid, user, options=options(runner=False))

    assert registry.getWorkflow(workflow_id).status == Status.FAILED
    (refund,) = logs(registry.GasRefunded, receipt)
    assert (refund.owner, refund.amount) == (user.address, GAS_DEPOSIT)
    assert registry.gasBalanceOf(user) == GAS_DEPOSIT
    assert_solvent(registry)


def test_attack_a_redrive_cannot_pay_keepers_from_a_gas_deposit_already_refunded(
    registry: Any, driver: Any, user: Any, keeper: Any, runner_flow: int
) -> None:
    """The last run's gas deposit went back to the owner when it ended: the next run starts with none, so no
    keeper is paid from ether the owner may already have withdrawn (the registry stays solvent in ether)."""
    receipt = registry.cancel(runner_flow, sender=user)
    (refund,) = logs(registry.GasRefunded, receipt)
    assert refund.amount == GAS_DEPOSIT
    registry.withdrawGas(sender=user)
    top_up = sum(s.cost * (1 + s.retries) for s in registry.getSteps(runner_flow))

    driver.collect(registry.redrive(runner_flow, sender=user, value=top_up))
    assert registry.keeperAccountOf(runner_flow).gasDeposit == 0
    assert_solvent(registry)
    driver.answer(job_of(registry, runner_flow, 0), label("ONE"))
    receipt = registry.advance(runner_flow, 8, sender=keeper, **PRICE)

    assert logs(registry.StepDispatched, receipt)
    assert not paid(registry, receipt)
    assert registry.gasBalanceOf(keeper) == 0
    assert_solvent(registry)

    registry.fundGas(runner_flow, sender=user, value=GAS_DEPOSIT)  # the new run's own gas pays its keepers
    driver.answer(job_of(registry, runner_flow, 1), label("TWO"))
    receipt = registry.advance(runner_flow, 8, sender=keeper, **PRICE)
    (log,) = paid(registry, receipt)
    assert registry.keeperAccountOf(runner_flow).gasDeposit == GAS_DEPOSIT - log.amount
    assert_solvent(registry)
