"""LilypadV2Registry on LocalLilypadV2: attempts are `runJob` calls paid in the job creator's token from a token
escrow, results come only from the job creator, only for ids it issued, each once; a step never answered
expires and retries; every token unit is spent on a job (allowed to the controller), refundable or withdrawn.
Hostile tokens (one that returns false, one that takes a fee on transfer, one that reverts) are refused or
handled, each with a test named for it."""

from __future__ import annotations

from typing import Any

import ape
import pytest
from contract_helpers import ETHER, Status, definition, logs, ref, reverts, text

from tinyhops.chain.deploy import deploy_local_lilypad_v2, deploy_registry_v2
from tinyhops.encoding.cache_key import cache_key

DEPOSIT = ETHER  # what the job creator takes per job
SEP = b"\x1e"  # INPUTS_SEPARATOR
HOUR = 3600


def inputs(*pairs: bytes) -> bytes:
    return SEP.join(pairs)


@pytest.fixture(scope="module")
def v2(project: Any, deployer: Any, user: Any, provider: Any) -> Any:
    # Ape's test isolation returns the chain to this state before each test.
    job_creator = deploy_local_lilypad_v2(project, deployer, provider, DEPOSIT)
    token = project.LocalLilypadToken.at(job_creator.getTokenAddress())
    registry = deploy_registry_v2(project, deployer, job_creator).registry
    token.mint(user, 1_000 * ETHER, sender=deployer)
    token.approve(registry, 2**256 - 1, sender=user)
    return Stack(registry, job_creator, token, provider)


class Stack:
    def __init__(self, registry: Any, job_creator: Any, token: Any, controller: Any) -> None:
        self.registry, self.job_creator, self.token, self.controller = registry, job_creator, token, controller

    def take_deposit(self, job_id: int) -> None:
        """The job-creator service's first move on JobAdded: take the deposit from the payee."""
        (added,) = [
            log for log in self.job_creator.JobAdded.range(0, ape.chain.blocks.head.number + 1) if log.id == job_id
        ]
        self.token.transferFrom(
            added.payee, self.controller, self.job_creator.getRequiredDeposit(), sender=self.controller
        )

    def answer(self, job_id: int, cid: str) -> Any:
        return self.job_creator.submitResults(job_id, f"deal-{job_id}", cid, sender=self.controller)

    def assert_accounted(self) -> None:
        """Token balance = live escrows + refundable + what the controller may still take."""
        registry = self.registry
        summaries = [registry.getWorkflow(i) for i in range(1, registry.workflowCount() + 1)]
        escrow = sum(s.balance for s in summaries)
        refundable = sum(registry.refundableOf(owner) for owner in {s.owner for s in summaries})
        allowed = self.token.allowance(registry, self.controller)
        assert self.token.balanceOf(registry) == escrow + refundable + allowed
        assert self.token.balanceOf(self.job_creator) == 0


CID_A = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
CID_B = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"


def test_a_workflow_runs_on_v2_paid_in_tokens_with_inputs_as_key_value_strings(v2: Stack, user: Any) -> None:
    registry, job_creator, token = v2.registry, v2.job_creator, v2.token
    first = definition(1, cost=2 * ETHER, timeout=HOUR, params=text(inputs(b"Message=hi", b"Style=cow")))
    second = definition(2, cost=ETHER, timeout=HOUR, needs=[0], params=text(b"Message=") + ref(0) + text(b"!"))
    before = token.balanceOf(user)
    receipt = registry.submit([tuple(first), tuple(second)], 5 * ETHER, sender=user)
    assert token.balanceOf(user) == before - 5 * ETHER
    (added,) = logs(job_creator.JobAdded, receipt)
    assert (added.id, added.calling_contract, added.payee) == (1, registry.address, registry.address)
    assert list(added.inputs) == ["Message=hi", "Style=cow"]
    assert added.module == "cowsay:v0.0.1"
    assert token.allowance(registry, v2.controller) == DEPOSIT  # raised by exactly the job's deposit
    (dispatched,) = logs(registry.StepDispatched, receipt)
    assert dispatched.cost == DEPOSIT  # paid what the job creator takes, not the step's cost of 2
    v2.assert_accounted()

    v2.take_deposit(1)
    assert token.allowance(registry, v2.controller) == 0
    delivery = v2.answer(1, CID_A)
    (completed,) = logs(registry.StepCompleted, delivery)
    assert completed.cid == CID_A
    (next_job,) = logs(job_creator.JobAdded, delivery)
    assert list(next_job.inputs) == [f"Message={CID_A}!"]
    v2.take_deposit(next_job.id)
    v2.answer(next_job.id, CID_B)

    summary = registry.getWorkflow(1)
    assert summary.status == Status.COMPLETED
    assert (summary.spent, summary.refunded) == (2 * DEPOSIT, 5 * ETHER - 2 * DEPOSIT)
    v2.assert_accounted()
    registry.withdraw(sender=user)
    assert token.balanceOf(user) == before - 2 * DEPOSIT
    assert token.balanceOf(registry) == 0


def test_only_the_job_creator_answers_only_ids_it_issued_and_only_once(
    v2: Stack, accounts: Any, user: Any, stranger: Any
) -> None:
    registry = v2.registry
    receipt = registry.submit(
        [tuple(definition(1, timeout=HOUR)), tuple(definition(2, timeout=HOUR))], 2 * ETHER, sender=user
    )
    job_id = logs(v2.job_creator.JobAdded, receipt)[0].id
    with reverts(registry.NotLilypad, caller=stranger):
        registry.submitResults(job_id, "deal", CID_A, sender=stranger)
    as_job_creator = accounts[v2.job_creator.address]
    as_job_creator.balance += ETHER
    with reverts(registry.UnknownJob, jobId=10**6):
        registry.submitResults(10**6, "deal", CID_A, sender=as_job_creator)
    with reverts(v2.job_creator.JobNotFound, id=10**6):
        v2.job_creator.submitResults(10**6, "deal", CID_A, sender=v2.controller)
    with reverts(v2.job_creator.NotController, caller=stranger):
        v2.job_creator.submitResults(job_id, "deal", CID_A, sender=stranger)
    v2.answer(job_id, CID_A)
    again = v2.answer(job_id, CID_B)
    assert [log.event_name for log in again.events if log.contract_address == registry.address] == ["ResultIgnored"]
    workflow_id = registry.workflowCount()
    assert registry.resultOf(workflow_id, 1) == CID_A


def test_every_step_needs_a_timeout_since_v2_never_reports_a_failure(v2: Stack, user: Any) -> None:
    with reverts(v2.registry.TimeoutRequired, stepIndex=1):
        v2.registry.submit([tuple(definition(1, timeout=HOUR)), tuple(definition(2))], 2 * ETHER, sender=user)


def test_a_job_never_answered_expires_retries_and_ends_with_every_token_unit_accounted_for(
    v2: Stack, chain: Any, user: Any, keeper: Any
) -> None:
    registry, token = v2.registry, v2.token
    before, allowed_before = token.balanceOf(user), token.allowance(registry, v2.controller)
    receipt = registry.submit([tuple(definition(1, timeout=HOUR, retries=1))], 2 * ETHER, sender=user)
    workflow_id = registry.workflowCount()
    first = logs(v2.job_creator.JobAdded, receipt)[0].id
    v2.take_deposit(first)  # the service took the deposit, then never answered
    chain.pending_timestamp += HOUR
    retry = registry.expire(workflow_id, 0, sender=keeper)
    (failed,) = logs(registry.StepFailed, retry)
    assert (failed.reason, failed.willRetry) == ("expired", True)
    (second,) = logs(v2.job_creator.JobAdded, retry)
    v2.assert_accounted()  # the second deposit is allowed, not yet taken
    chain.pending_timestamp += HOUR
    registry.expire(workflow_id, 0, sender=keeper)
    summary = registry.getWorkflow(workflow_id)
    assert summary.status == Status.FAILED
    assert (summary.spent, summary.refunded) == (2 * DEPOSIT, 0)
    v2.assert_accounted()
    late = v2.answer(second.id, CID_A)  # an answer after the end is ignored
    assert logs(registry.ResultIgnored, late)
    v2.take_deposit(second.id)
    assert token.allowance(registry, v2.controller) == allowed_before
    assert token.balanceOf(user) == before - 2 * ETHER
    assert token.balanceOf(v2.controller) >= 2 * DEPOSIT


def test_a_job_creator_deposit_above_the_steps_cost_fails_the_dispatch_and_allows_nothing(v2: Stack, user: Any) -> None:
    registry, token = v2.registry, v2.token
    v2.job_creator.setRequiredDeposit(3 * ETHER, sender=v2.controller)
    try:
        allowed = token.allowance(registry, v2.controller)
        receipt = registry.submit([tuple(definition(1, cost=2 * ETHER, timeout=HOUR))], 2 * ETHER, sender=user)
        (failed,) = logs(registry.StepFailed, receipt)
        assert failed.reason == "dispatch reverted"
        assert not logs(v2.job_creator.JobAdded, receipt)
        assert token.allowance(registry, v2.controller) == allowed
        summary = registry.getWorkflow(registry.workflowCount())
        assert (summary.status, summary.spent, summary.refunded) == (Status.FAILED, 0, 2 * ETHER)
        v2.assert_accounted()
    finally:
        v2.job_creator.setRequiredDeposit(DEPOSIT, sender=v2.controller)


def test_create_job_is_the_registrys_own_call_boundary(v2: Stack, stranger: Any) -> None:
    with reverts(v2.registry.NotSelf, caller=stranger):
        v2.registry.createJob(b"cowsay:v0.0.1", "Message=x", ETHER, sender=stranger)


def test_fund_pulls_tokens_and_a_deposit_below_the_required_one_is_refused(v2: Stack, user: Any, stranger: Any) -> None:
    registry, token = v2.registry, v2.token
    with reverts(registry.InsufficientDeposit, required=2 * ETHER, provided=2 * ETHER - 1):
        registry.submit([tuple(definition(1, timeout=HOUR, retries=1))], 2 * ETHER - 1, sender=user)
    registry.submit(
        [tuple(definition(1, timeout=HOUR)), tuple(definition(2, needs=[0], timeout=HOUR))], 2 * ETHER, sender=user
    )
    workflow_id = registry.workflowCount()
    token.mint(stranger, 3 * ETHER, sender=ape.accounts.test_accounts[0])
    token.approve(registry, 3 * ETHER, sender=stranger)
    receipt = registry.fund(workflow_id, 3 * ETHER, sender=stranger)
    assert logs(registry.WorkflowFunded, receipt)[0].amount == 3 * ETHER
    assert registry.getWorkflow(workflow_id).balance == 5 * ETHER - DEPOSIT
    v2.assert_accounted()


# ---------------------------------------------------------------------------------------------- hostile tokens


def _hostile_stack(project: Any, deployer: Any, provider: Any, token_type: Any) -> tuple[Any, Any, Any]:
    token = deployer.deploy(token_type)
    job_creator = deployer.deploy(project.LocalLilypadV2, token.address, provider.address, DEPOSIT)
    registry = deploy_registry_v2(project, deployer, job_creator).registry
    return token, job_creator, registry


def test_a_fee_on_transfer_token_is_refused_at_submit_and_nothing_moves(
    project: Any, chain: Any, deployer: Any, user: Any, provider: Any
) -> None:
    snapshot = chain.snapshot()
    try:
        token, _, registry = _hostile_stack(project, deployer, provider, project.FeeOnTransferToken)
        token.mint(user, 10 * ETHER, sender=user)
        token.approve(registry, 10 * ETHER, sender=user)
        with reverts(registry.DepositNotReceived, expected=2 * ETHER, received=2 * ETHER - 2 * ETHER // 100):
            registry.submit([tuple(definition(1, timeout=HOUR))], 2 * ETHER, sender=user)
        assert (token.balanceOf(user), token.balanceOf(registry), registry.workflowCount()) == (10 * ETHER, 0, 0)
    finally:
        chain.restore(snapshot)


def test_a_token_that_returns_false_is_refused_and_a_failed_withdrawal_keeps_the_balance(
    project: Any, chain: Any, deployer: Any, user: Any, provider: Any
) -> None:
    snapshot = chain.snapshot()
    try:
        token, job_creator, registry = _hostile_stack(project, deployer, provider, project.FalseReturningToken)
        token.mint(user, 10 * ETHER, sender=user)
        token.approve(registry, 10 * ETHER, sender=user)
        token.setFailing(True, sender=user)
        with ape.reverts():
            registry.submit([tuple(definition(1, timeout=HOUR))], 2 * ETHER, sender=user)
        assert (token.balanceOf(user), registry.workflowCount()) == (10 * ETHER, 0)
        token.setFailing(False, sender=user)
        registry.submit([tuple(definition(1, timeout=HOUR))], 2 * ETHER, sender=user)
        registry.cancel(1, sender=user)
        token.setFailing(True, sender=user)
        with ape.reverts():
            registry.withdraw(sender=user)
        assert registry.refundableOf(user) == 2 * ETHER - DEPOSIT  # still credited
        token.setFailing(False, sender=user)
        registry.withdraw(sender=user)
        assert token.balanceOf(user) == 10 * ETHER - DEPOSIT
        assert token.balanceOf(registry) == token.allowance(registry, provider) == DEPOSIT
    finally:
        chain.restore(snapshot)


def test_a_token_that_reverts_at_dispatch_fails_the_step_without_blocking_the_delivery(
    project: Any, chain: Any, deployer: Any, user: Any, provider: Any
) -> None:
    snapshot = chain.snapshot()
    try:
        token, job_creator, registry = _hostile_stack(project, deployer, provider, project.RevertingToken)
        token.mint(user, 10 * ETHER, sender=user)
        token.approve(registry, 10 * ETHER, sender=user)
        registry.submit(
            [tuple(definition(1, timeout=HOUR)), tuple(definition(2, needs=[0], timeout=HOUR))], 2 * ETHER, sender=user
        )
        token.setReverting(True, sender=user)
        delivery = job_creator.submitResults(1, "deal", CID_A, sender=provider)  # does not revert
        names = [log.event_name for log in delivery.events if log.contract_address == registry.address]
        assert names[:2] == ["StepCompleted", "StepFailed"]
        assert logs(registry.StepFailed, delivery)[0].reason == "dispatch reverted"
        summary = registry.getWorkflow(1)
        assert (summary.status, summary.spent, summary.refunded) == (Status.FAILED, DEPOSIT, ETHER)
        assert token.allowance(registry, provider) == DEPOSIT  # only the first job's
        token.setReverting(False, sender=user)
        registry.withdraw(sender=user)
        assert token.balanceOf(user) == 9 * ETHER
    finally:
        chain.restore(snapshot)


def test_the_job_creator_reads_as_lilypad_describes_it(v2: Stack, user: Any) -> None:
    job_creator = v2.job_creator
    assert job_creator.getRequiredDeposit() == DEPOSIT
    assert job_creator.getTokenAddress() == v2.token.address
    assert job_creator.getControllerAddress() == v2.controller.address
    first = job_creator.nextJobID() + 1
    v2.token.approve(v2.controller, 0, sender=user)
    with reverts(job_creator.AllowanceTooLow, allowance=0, required=DEPOSIT):
        job_creator.runJob("cowsay:v0.0.4", ["Message=hi"], user, sender=user)
    v2.token.approve(v2.controller, DEPOSIT, sender=user)
    receipt = job_creator.runJob("cowsay:v0.0.4", ["Message=hi"], user, sender=user)
    assert logs(job_creator.JobAdded, receipt)[0].id == first
    assert job_creator.nextJobID() == first


def test_a_cached_step_on_v2_allows_the_controller_nothing_and_refunds_its_tokens(v2: Stack, user: Any) -> None:
    """The result cache on v2: keyed by the inputs exactly as `runJob` would get them (joined by 0x1e); a hit
    raises no allowance and creates no job, and every token unit stays accounted for."""
    registry, job_creator, token = v2.registry, v2.job_creator, v2.token
    params = text(inputs(b"Message=hi", b"Style=cow"))
    cached = definition(1, cost=2 * ETHER, timeout=HOUR, params=params, cacheable=True)
    first = registry.submit([tuple(cached)], 2 * ETHER, sender=user)
    (added,) = logs(job_creator.JobAdded, first)
    v2.take_deposit(added.id)
    v2.answer(added.id, CID_B)
    allowed = token.allowance(registry, v2.controller)
    refundable = registry.refundableOf(user)

    second = registry.submit([tuple(cached)], 2 * ETHER, sender=user)

    assert not logs(job_creator.JobAdded, second)
    (served,) = logs(registry.StepServedFromCache, second)
    assert served.key == cache_key("cowsay:v0.0.1", "Message=hi\x1eStyle=cow") and served.jobId == added.id
    assert registry.resultOf(2, 1) == CID_B
    assert token.allowance(registry, v2.controller) == allowed
    assert registry.refundableOf(user) == refundable + 2 * ETHER
    v2.assert_accounted()
