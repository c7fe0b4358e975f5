"""`withdraw`: pays an owner's refunds exactly once, to the wei, and never to anyone else."""

from __future__ import annotations

from typing import Any

import pytest
from contract_helpers import (
    ETHER,
    arguments,
    assert_solvent,
    definition,
    fees_of,
    logs,
    registry_events,
    reverts,
    selector,
)


@pytest.fixture
def refund(registry: Any, user: Any) -> int:
    """The user cancels a two-step workflow with spare deposit: 3.5 ether left to withdraw."""
    registry.submit(arguments([definition(1), definition(2, needs=[0])]), sender=user, value=45 * ETHER // 10)
    registry.cancel(1, sender=user)
    return registry.refundableOf(user)


def test_withdraw_pays_the_refund_to_the_wei(registry: Any, user: Any, refund: int) -> None:
    assert refund == 35 * ETHER // 10
    before = user.balance
    receipt = registry.withdraw(sender=user)

    assert user.balance == before + refund - fees_of(receipt)
    (withdrawn,) = logs(registry.Withdrawn, receipt)
    assert (withdrawn.account, withdrawn.amount) == (user.address, refund)
    assert registry_events(registry, receipt) == ["Withdrawn"]
    assert registry.refundableOf(user) == 0
    assert_solvent(registry)


def test_withdrawing_twice_pays_once(registry: Any, user: Any, refund: int) -> None:
    registry.withdraw(sender=user)
    with reverts(registry.NothingToWithdraw):
        registry.withdraw(sender=user)


def test_only_the_owner_is_refunded(registry: Any, stranger: Any, refund: int) -> None:
    with reverts(registry.NothingToWithdraw):
        registry.withdraw(sender=stranger)


def test_refunds_from_several_workflows_add_up(registry: Any, user: Any, refund: int) -> None:
    registry.submit(arguments([definition(1)]), sender=user, value=3 * ETHER)
    registry.cancel(2, sender=user)
    assert registry.refundableOf(user) == refund + 2 * ETHER
    before = user.balance
    receipt = registry.withdraw(sender=user)
    assert user.balance == before + refund + 2 * ETHER - fees_of(receipt)


def refund_to(owner_contract: Any, registry: Any, driver: Any, user: Any, *submit_args: Any) -> int:
    """Have `owner_contract` submit a one-step workflow with 2 ether spare, and complete it."""
    receipt = owner_contract.submit(*submit_args, arguments([definition(1)]), sender=user, value=3 * ETHER)
    driver.collect(receipt)
    workflow_id = registry.workflowCount()
    driver.answer(registry.getStep(workflow_id, 0).jobId)
    assert registry.refundableOf(owner_contract) == 2 * ETHER
    return 2 * ETHER


def test_an_owner_that_refuses_ether_keeps_its_refund(project: Any, registry: Any, driver: Any, user: Any) -> None:
    receiver = user.deploy(project.RevertingReceiver)
    amount = refund_to(receiver, registry, driver, user, registry)

    with reverts(registry.WithdrawFailed, to=receiver, amount=amount):
        receiver.withdraw(registry, sender=user)
    assert registry.refundableOf(receiver) == amount
    assert receiver.balance == 0
    assert_solvent(registry)


def test_a_withdrawer_reentering_withdraw_makes_the_whole_withdraw_fail(
    project: Any, registry: Any, driver: Any, user: Any
) -> None:
    withdrawer = user.deploy(project.ReentrantWithdrawer, registry, False)
    amount = refund_to(withdrawer, registry, driver, user)

    # Its receive() re-enters, gets Reentered and re-raises: the transfer fails, nothing is paid.
    with reverts(registry.WithdrawFailed, to=withdrawer, amount=amount):
        withdrawer.withdraw(sender=user)
    assert registry.refundableOf(withdrawer) == amount
    assert (withdrawer.balance, withdrawer.payments()) == (0, 0)
    assert_solvent(registry)


def test_a_withdrawer_reentering_withdraw_is_paid_once(project: Any, registry: Any, driver: Any, user: Any) -> None:
    withdrawer = user.deploy(project.ReentrantWithdrawer, registry, True)
    amount = refund_to(withdrawer, registry, driver, user)

    receipt = withdrawer.withdraw(sender=user)
    assert registry_events(registry, receipt) == ["Withdrawn"]
    assert (withdrawer.payments(), withdrawer.received(), withdrawer.balance) == (1, amount, amount)
    assert withdrawer.reentryError() == selector(registry.Reentered)
    assert registry.refundableOf(withdrawer) == 0
    with reverts(registry.NothingToWithdraw):
        withdrawer.withdraw(sender=user)
    assert_solvent(registry)
