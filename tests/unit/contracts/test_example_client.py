"""MemeStudio, the example client contract: orders, the meme's CID, and each customer's own refund."""

from __future__ import annotations

from typing import Any

import pytest
from contract_helpers import (
    ETHER,
    SDXL,
    Status,
    arguments,
    assert_solvent,
    definition,
    fees_of,
    job_of,
    label,
    logs,
    ref,
    reverts,
    run_to_end,
    text,
    view_reverts,
)

MEME = arguments(
    [
        definition(1, params=text("a caption about cows")),
        definition(2, params=text("a cow, photorealistic")),
        definition(3, needs=[0, 1], params=text("put ") + ref(0) + text(" on ") + ref(1)),
    ]
)
MEME_COST = 3 * ETHER


@pytest.fixture
def alice(accounts: Any) -> Any:
    return accounts[5]


@pytest.fixture
def bob(accounts: Any) -> Any:
    return accounts[6]


@pytest.fixture
def studio(project: Any, registry: Any, deployer: Any) -> Any:
    return deployer.deploy(project.MemeStudio, registry)


def order(studio: Any, driver: Any, customer: Any, value: int, steps: Any = MEME) -> int:
    receipt = studio.order(steps, 3, sender=customer, value=value)
    driver.collect(receipt)
    (ordered,) = logs(studio.MemeOrdered, receipt)
    return ordered.workflowId


def test_an_order_becomes_a_workflow_owned_by_the_studio(registry: Any, driver: Any, studio: Any, alice: Any) -> None:
    receipt = studio.order(MEME, 3, sender=alice, value=MEME_COST + ETHER)
    (ordered,) = logs(studio.MemeOrdered, receipt)
    assert (ordered.customer, ordered.finalStepId, ordered.deposit) == (alice.address, 3, MEME_COST + ETHER)
    assert registry.getWorkflow(ordered.workflowId).owner == studio.address
    assert studio.orders(ordered.workflowId) == (alice.address, MEME_COST + ETHER, 3, Status.NONE, False)


def test_the_studio_serves_the_finished_meme(registry: Any, driver: Any, studio: Any, alice: Any) -> None:
    workflow_id = order(studio, driver, alice, MEME_COST)
    assert studio.memeOf(workflow_id) == ""

    receipts = run_to_end(driver, workflow_id, {0: label("CAPTION"), 1: label("COW"), 2: label("meme")})

    assert registry.getStep(workflow_id, 2).params == f"put {label('CAPTION')} on {label('COW')}"
    (finished,) = logs(studio.MemeFinished, receipts[-1])
    assert (finished.workflowId, finished.status) == (workflow_id, Status.COMPLETED)
    assert studio.orders(workflow_id).status == Status.COMPLETED
    assert studio.memeOf(workflow_id) == label("meme") == registry.resultOf(workflow_id, 3)
    view_reverts(studio.UnknownOrder, studio.memeOf, workflow_id + 1, workflowId=workflow_id + 1)


def test_attack_memestudio_locks_ether_each_customer_withdraws_every_wei_of_their_orders(
    registry: Any, driver: Any, studio: Any, alice: Any, bob: Any, stranger: Any
) -> None:
    alices = order(studio, driver, alice, MEME_COST + 2 * ETHER)
    bobs = order(studio, driver, bob, MEME_COST + ETHER)
    studio.topUp(bobs, sender=stranger, value=ETHER)  # through the studio: credited to Bob's order
    # Around the studio, straight to the registry: this used to end in the studio's balance with no way out
    # (finding 5). The registry now says what each workflow refunded, and the studio passes all of it on.
    registry.fund(alices, sender=stranger, value=ETHER)
    run_to_end(driver, alices)
    driver.answer(job_of(registry, bobs, 0))
    studio.cancel(bobs, sender=bob)  # Bob keeps a caption; his other two steps never run

    alice_refund, bob_refund = 3 * ETHER, MEME_COST + 2 * ETHER - 2 * ETHER
    for workflow_id, customer, refund in ((alices, alice, alice_refund), (bobs, bob, bob_refund)):
        receipt = studio.settle(workflow_id, sender=stranger)
        (credited,) = logs(studio.RefundCredited, receipt)
        assert (credited.workflowId, credited.customer, credited.amount) == (workflow_id, customer.address, refund)
        assert studio.refundOf(customer) == refund
    assert registry.refundableOf(studio) == alice_refund + bob_refund
    assert [registry.getWorkflow(i).refunded for i in (alices, bobs)] == [alice_refund, bob_refund]

    for customer, refund in ((alice, alice_refund), (bob, bob_refund)):
        before = customer.balance
        receipt = studio.withdrawRefund(sender=customer)
        assert customer.balance == before + refund - fees_of(receipt)
        (withdrawn,) = logs(studio.RefundWithdrawn, receipt)
        assert (withdrawn.customer, withdrawn.amount) == (customer.address, refund)
        with reverts(studio.NothingToWithdraw, customer=customer):
            studio.withdrawRefund(sender=customer)
    assert registry.refundableOf(studio) == 0
    assert studio.balance == 0  # nothing locked in the studio
    assert_solvent(registry)


def test_orders_are_settled_once_and_only_when_finished(
    registry: Any, driver: Any, studio: Any, alice: Any, stranger: Any
) -> None:
    workflow_id = order(studio, driver, alice, MEME_COST)
    with reverts(studio.OrderNotFinished, workflowId=workflow_id):
        studio.settle(workflow_id, sender=stranger)
    with reverts(studio.UnknownOrder, workflowId=workflow_id + 1):
        studio.settle(workflow_id + 1, sender=stranger)
    studio.cancel(workflow_id, sender=alice)
    studio.settle(workflow_id, sender=stranger)
    with reverts(studio.AlreadySettled, workflowId=workflow_id):
        studio.settle(workflow_id, sender=stranger)
    with reverts(studio.NothingToWithdraw, customer=stranger):
        studio.withdrawRefund(sender=stranger)


def test_only_the_customer_cancels_an_order(
    registry: Any, driver: Any, studio: Any, alice: Any, bob: Any, stranger: Any
) -> None:
    workflow_id = order(studio, driver, alice, MEME_COST)
    for caller in (bob, stranger):
        with reverts(studio.NotCustomer, workflowId=workflow_id, caller=caller):
            studio.cancel(workflow_id, sender=caller)
    with reverts(registry.NotWorkflowOwner, workflowId=workflow_id, caller=alice):
        registry.cancel(workflow_id, sender=alice)  # the studio, not Alice, owns the workflow
    receipt = studio.cancel(workflow_id, sender=alice)
    (finished,) = logs(studio.MemeFinished, receipt)
    assert finished.status == Status.CANCELLED


def test_a_workflow_that_fails_while_being_ordered_is_recorded_and_refunded(
    driver: Any, studio: Any, alice: Any, stranger: Any
) -> None:
    # LocalLilypad refuses an SDXL job paying 1 ether, so the workflow fails inside `submit` and the
    # studio hears of it before `order` has written the order.
    doomed = arguments([definition(3, module=SDXL, retries=1)])
    workflow_id = order(studio, driver, alice, 2 * ETHER, doomed)
    assert studio.orders(workflow_id).status == Status.FAILED
    studio.settle(workflow_id, sender=stranger)
    assert studio.refundOf(alice) == 2 * ETHER


def test_the_studio_listens_only_to_the_registry(studio: Any, driver: Any, alice: Any, stranger: Any) -> None:
    workflow_id = order(studio, driver, alice, MEME_COST)
    with reverts(studio.NotRegistry, caller=stranger):
        studio.onWorkflowFinished(workflow_id, Status.COMPLETED, sender=stranger)
    with reverts(studio.UnexpectedEther, sender=stranger):
        stranger.transfer(studio, ETHER)
    assert studio.orders(workflow_id).status == Status.NONE


def test_the_studio_passes_on_the_registrys_submit_errors(registry: Any, studio: Any, alice: Any) -> None:
    with reverts(registry.InsufficientDeposit, required=MEME_COST, provided=MEME_COST - 1):
        studio.order(MEME, 3, sender=alice, value=MEME_COST - 1)
