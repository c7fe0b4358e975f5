"""LocalLilypad, the development stand-in: owner configuration, paid jobs, provider answers."""

from __future__ import annotations

from typing import Any

import ape
import pytest
from contract_helpers import ETHER, Status, fees_of, job_of, label, logs, reverts, step, workflow

ZERO_ADDRESS = "0x" + "00" * 20


@pytest.fixture
def job(registry: Any, driver: Any, user: Any) -> int:
    """A cowsay job the registry submitted (paid 1 ether), unanswered."""
    workflow_id, _ = driver.submit(workflow(step(1)), user)
    return job_of(registry, workflow_id, 0)


def test_only_the_owner_configures_modules_and_providers(lilypad: Any, deployer: Any, stranger: Any) -> None:
    assert lilypad.owner() == deployer.address
    with reverts(lilypad.NotOwner, caller=stranger):
        lilypad.setModuleCost("cowsay:v0.0.1", 0, sender=stranger)
    with reverts(lilypad.NotOwner, caller=stranger):
        lilypad.setProvider(stranger, True, sender=stranger)
    assert lilypad.getModuleCost("cowsay:v0.0.1") == ETHER
    assert not lilypad.isProvider(stranger)


def test_the_owner_sets_module_costs_and_providers(lilypad: Any, deployer: Any, stranger: Any) -> None:
    receipt = lilypad.setModuleCost("new:v1", 3, sender=deployer)
    (cost_set,) = logs(lilypad.ModuleCostSet, receipt)
    assert (cost_set.module, cost_set.cost) == ("new:v1", 3)
    assert lilypad.getModuleCost("new:v1") == 3

    for allowed in (True, False):
        receipt = lilypad.setProvider(stranger, allowed, sender=deployer)
        (provider_set,) = logs(lilypad.ProviderSet, receipt)
        # `log.provider` is Ape's own attribute: read the event argument by key.
        assert (provider_set["provider"], provider_set.allowed) == (stranger.address, allowed)
        assert lilypad.isProvider(stranger) == allowed


def test_a_job_must_pay_its_module_cost(lilypad: Any, user: Any) -> None:
    with reverts(lilypad.PaymentTooLow, cost=ETHER, paid=ETHER - 1):
        lilypad.runModuleWithDefaultMediators("cowsay:v0.0.1", "hi", sender=user, value=ETHER - 1)
    receipt = lilypad.runModuleWithDefaultMediators("unpriced:v1", "hi", sender=user)
    (created,) = logs(lilypad.JobCreated, receipt)
    assert (created.jobId, created.client, created.module, created.params, created.payment) == (
        1,
        user.address,
        "unpriced:v1",
        "hi",
        0,
    )
    assert lilypad.jobCount() == 1


def test_a_job_payment_must_fit_the_stand_ins_88_bit_field(lilypad: Any, user: Any) -> None:
    user.balance += 2**89
    with reverts(lilypad.PaymentTooHigh, paid=2**88):
        lilypad.runModuleWithDefaultMediators("cowsay:v0.0.1", "hi", sender=user, value=2**88)
    lilypad.runModuleWithDefaultMediators("cowsay:v0.0.1", "hi", sender=user, value=2**88 - 1)
    assert lilypad.getJob(1).payment == 2**88 - 1


def test_jobs_are_numbered_from_one_and_remember_their_client(lilypad: Any, registry: Any, job: int, user: Any) -> None:
    assert job == 1 == lilypad.jobCount()
    assert lilypad.getJob(1) == (registry.address, ETHER, False)
    assert lilypad.getJob(2) == (ZERO_ADDRESS, 0, False)
    lilypad.runModuleWithDefaultMediators("cowsay:v0.0.1", "", sender=user, value=2 * ETHER)
    assert lilypad.getJob(2) == (user.address, 2 * ETHER, False)


def test_the_provider_answering_is_paid_the_job_payment(lilypad: Any, job: int, provider: Any) -> None:
    before = provider.balance
    receipt = lilypad.postResult(job, label("result"), sender=provider)

    assert provider.balance == before + ETHER - fees_of(receipt)
    (answered,) = logs(lilypad.JobAnswered, receipt)
    assert (answered.jobId, answered["provider"], answered.failed, answered.result) == (
        job,
        provider.address,
        False,
        label("result"),
    )
    assert lilypad.getJob(job).answered


def test_a_failure_is_announced_with_its_reason_and_delivered_with_the_prefix(
    registry: Any, lilypad: Any, job: int, provider: Any
) -> None:
    receipt = lilypad.postFailure(job, "no GPU", sender=provider)
    (answered,) = logs(lilypad.JobAnswered, receipt)
    assert (answered.failed, answered.result) == (True, "no GPU")
    assert logs(registry.StepFailed, receipt)[0].reason == "no GPU"


@pytest.mark.parametrize("post", ["postResult", "postFailure"])
def test_only_registered_providers_may_answer(
    lilypad: Any, deployer: Any, job: int, provider: Any, stranger: Any, post: str
) -> None:
    with reverts(lilypad.NotProvider, caller=stranger):
        getattr(lilypad, post)(job, "x", sender=stranger)
    lilypad.setProvider(provider, False, sender=deployer)
    with reverts(lilypad.NotProvider, caller=provider):
        getattr(lilypad, post)(job, "x", sender=provider)


@pytest.mark.parametrize("post", ["postResult", "postFailure"])
def test_unknown_and_answered_jobs_are_refused(lilypad: Any, job: int, provider: Any, post: str) -> None:
    for unknown in (0, job + 1):
        with reverts(lilypad.UnknownJob, jobId=unknown):
            getattr(lilypad, post)(unknown, "x", sender=provider)
    getattr(lilypad, post)(job, "x", sender=provider)
    for replay in ("postResult", "postFailure"):
        with reverts(lilypad.JobAlreadyAnswered, jobId=job):
            getattr(lilypad, replay)(job, "x", sender=provider)


def test_a_provider_that_refuses_payment_cannot_answer(
    project: Any, accounts: Any, lilypad: Any, deployer: Any, job: int
) -> None:
    refuser = deployer.deploy(project.RevertingReceiver)
    lilypad.setProvider(refuser, True, sender=deployer)
    as_refuser = accounts[refuser.address]
    as_refuser.balance += ETHER  # for gas; the refusal is of the incoming payment
    with reverts(lilypad.ProviderPaymentFailed, provider=refuser, amount=ETHER):
        lilypad.postResult(job, "x", sender=as_refuser)
    assert not lilypad.getJob(job).answered


def test_an_answer_the_client_cannot_take_leaves_the_job_unanswered_and_unpaid(
    lilypad: Any, user: Any, provider: Any
) -> None:
    # An account without code cannot be called back: the whole answer reverts and nothing is recorded.
    lilypad.runModuleWithDefaultMediators("cowsay:v0.0.1", "hi", sender=user, value=ETHER)
    before = provider.balance
    with ape.reverts() as revert:
        lilypad.postResult(1, "x", sender=provider)
    assert provider.balance == before - fees_of(revert)
    assert lilypad.getJob(1) == (user.address, ETHER, False)
    assert lilypad.balance == ETHER


# ---------------------------------------------------------------- fair with money (finding 4)


def test_a_failed_jobs_payment_goes_back_to_the_workflow_not_to_the_provider(
    registry: Any, lilypad: Any, driver: Any, user: Any, provider: Any
) -> None:
    """The attack on the old stand-in: six failures with `retries: 5` paid the provider 6 ether and the user
    got nothing back. Now every failed attempt's payment returns to the workflow, so the user gets it all."""
    workflow_id, _ = driver.submit(workflow(step(1, retries=5)), user)
    provider_before = provider.balance
    fees = 0
    for _ in range(6):
        receipt = lilypad.postFailure(job_of(registry, workflow_id, 0), "no GPU", sender=provider)
        fees += fees_of(receipt)
        (returned,) = logs(lilypad.PaymentReturned, receipt)
        assert (returned.client, returned.amount) == (registry.address, ETHER)
        assert not logs(lilypad.ProviderPaid, receipt)
    summary = registry.getWorkflow(workflow_id)
    assert (summary.status, summary.spent, summary.refunded) == (Status.FAILED, 0, 6 * ETHER)
    assert registry.refundableOf(user) == 6 * ETHER
    assert provider.balance == provider_before - fees
    assert lilypad.balance == 0


def test_a_result_that_no_longer_counts_is_not_paid_for(
    chain: Any, registry: Any, lilypad: Any, driver: Any, user: Any, provider: Any
) -> None:
    """A result after its attempt's deadline expires the attempt: its payment goes back to the workflow (and
    pays for the retry), and the provider who was late earns nothing."""
    workflow_id, _ = driver.submit(workflow(step(1, timeout=60, retries=1)), user)
    late = job_of(registry, workflow_id, 0)
    chain.mine(timestamp=chain.pending_timestamp + 61)
    assert not registry.jobInFlight(late)
    provider_before = provider.balance
    receipt = lilypad.postResult(late, label("late"), sender=provider)
    assert provider.balance == provider_before - fees_of(receipt)
    assert [log.amount for log in logs(lilypad.PaymentReturned, receipt)] == [ETHER]
    assert [log.attempt for log in logs(registry.StepExpired, receipt)] == [1]
    summary = registry.getWorkflow(workflow_id)
    assert (summary.spent, summary.balance, summary.inFlightCount) == (ETHER, ETHER, 1)  # the retry is paid
    assert lilypad.balance == ETHER  # the retry's payment, nothing else


def test_a_result_that_counts_is_paid_to_the_provider(registry: Any, lilypad: Any, job: int, provider: Any) -> None:
    before = provider.balance
    receipt = lilypad.postResult(job, label("on time"), sender=provider)
    assert [(log["provider"], log.amount) for log in logs(lilypad.ProviderPaid, receipt)] == [(provider.address, ETHER)]
    assert provider.balance == before + ETHER - fees_of(receipt)
    assert lilypad.balance == 0


def test_a_job_nobody_answers_is_reclaimed_once_its_client_gave_up_on_it(
    registry: Any, lilypad: Any, driver: Any, user: Any, stranger: Any
) -> None:
    workflow_id, _ = driver.submit(workflow(step(1), step(2)), user)
    hung = job_of(registry, workflow_id, 0)
    with reverts(lilypad.JobNotReclaimable, jobId=hung):
        lilypad.reclaim(hung, sender=stranger)  # still awaited
    registry.cancel(workflow_id, sender=user)
    refundable = registry.refundableOf(user)
    receipt = lilypad.reclaim(hung, sender=stranger)
    assert [log.amount for log in logs(registry.JobRefunded, receipt)] == [ETHER]
    assert registry.refundableOf(user) == refundable + ETHER
    assert registry.getWorkflow(workflow_id).refunded == registry.refundableOf(user)
    with reverts(lilypad.JobAlreadyAnswered, jobId=hung):
        lilypad.reclaim(hung, sender=stranger)
    with reverts(lilypad.UnknownJob, jobId=999):
        lilypad.reclaim(999, sender=stranger)
    assert lilypad.balance == ETHER  # step 2's job, not yet reclaimed
    lilypad.reclaim(job_of(registry, workflow_id, 1), sender=stranger)
    assert lilypad.balance == 0
    assert registry.getWorkflow(workflow_id).refunded == 2 * ETHER
    assert registry.balance == registry.refundableOf(user)


def test_a_client_that_does_not_say_what_counts_is_treated_as_lilypad_v1_treats_it(
    project: Any, lilypad: Any, deployer: Any, user: Any, provider: Any
) -> None:
    """A client without `jobInFlight` (here one whose callback just records): the provider is paid for every
    answer, failures included, exactly as on Lilypad v1, and a job of it can never be reclaimed."""
    client = deployer.deploy(project.RecordingLilypadClient, lilypad)
    client.submit("cowsay:v0.0.1", "hi", sender=user, value=ETHER)
    with reverts(lilypad.JobNotReclaimable, jobId=1):
        lilypad.reclaim(1, sender=user)
    before = provider.balance
    receipt = lilypad.postFailure(1, "no GPU", sender=provider)
    assert provider.balance == before + ETHER - fees_of(receipt)
    assert client.lastAnswer() == "JOB_FAILED:no GPU"
