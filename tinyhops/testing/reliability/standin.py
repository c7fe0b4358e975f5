"""The other actors of a fault run, while the provider process is down: the provider account posting answers by
hand (out of order, twice, late) and a stranger expiring overdue attempts. On either backend:

- v1: the registered provider posts `postResult` / `postFailure` to LocalLilypad, which records each answer
  (JobAnswered) and refuses a second one (JobAlreadyAnswered).
- v2: the job creator's controller takes the job's deposit (as Lilypad's service does, first) and submits
  `submitResults` to LocalLilypadV2; there is no failure to post (a fault "fail" leaves the job unanswered,
  and its step's timeout expires it), and LocalLilypadV2 keeps no answered flag, so a second or late answer
  reaches the registry, which ignores it (ResultIgnored). Answers are read from the registry's events.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from eth_account import Account
from eth_utils import to_checksum_address

from tinyhops.chain.registry_client import StepStatus, WorkflowStatus
from tinyhops.provider.backends.v2 import deal_id
from tinyhops.provider.executor import execute
from tinyhops.provider.faults import FAILURE_REASON, Fault, FaultPlan
from tinyhops.provider.inputs import module_inputs
from tinyhops.provider.store import ContentStore
from tinyhops.testing.reliability.rawchain import Event, Reverted, ok
from tinyhops.testing.reliability.stack import Stack

LIVE = (WorkflowStatus.RUNNING, WorkflowStatus.PAUSED)
# StepFailed reasons that are no answer: an expiry, or a dispatch Lilypad refused.
NOT_ANSWERS = ("expired", "dispatch reverted")
# What a second answer for an answered job meets: v1's LocalLilypad refuses it, v2's registry ignores it.
DUPLICATE_OUTCOME = {"v1": "JobAlreadyAnswered", "v2": "ResultIgnored"}


@dataclass(frozen=True)
class Route:
    """Where a job belongs: the attempt of a step the registry submitted it for."""

    workflow_id: int
    index: int
    attempt: int

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.workflow_id, self.index, self.attempt)


@dataclass(frozen=True)
class Job:
    """A job as Lilypad announced it, and the call the local module serving it gets."""

    job_id: int
    client: str
    module: str  # the local module (v2: the one serving the v2 module name)
    params: str  # v2: the inputs Lilypad's service keeps, as the JSON object the module reads


@dataclass(frozen=True)
class Answer:
    """One answer for a job: v1 as LocalLilypad recorded it (JobAnswered); v2 as the registry took it."""

    job_id: int
    provider: str  # who sent it
    failed: bool  # v1: posted as a failure; v2: the registry failed the attempt with it (not a CID)
    result: str


def jobs_in(stack: Stack, receipt: dict[str, Any]) -> list[Job]:
    """The jobs a transaction made Lilypad announce."""
    if stack.backend == "v2":
        return [_v2_job(e) for e in stack.lilypad.receipt_events(receipt, "JobAdded")]
    return [Job(e.jobId, e.client, e.module, e.params) for e in stack.lilypad.receipt_events(receipt, "JobCreated")]


def _v2_job(event: Event) -> Job:
    call = module_inputs(event.module, list(event.inputs))
    return Job(event.id, event.calling_contract, call.module, call.params)


@dataclass
class Jobs:
    """Every job the stack's Lilypad announced and every answer taken for it, from the chain's events."""

    created: dict[int, Job]
    answered: dict[int, list[Answer]]
    routes: dict[int, Route]

    @classmethod
    def read(cls, stack: Stack) -> Jobs:
        routes = {
            e.jobId: Route(e.workflowId, e.stepIndex, e.attempt)
            for e in stack.registry.history(stack.block, "StepDispatched")
        }
        answered: dict[int, list[Answer]] = {}
        if stack.backend == "v2":
            created = {e.id: _v2_job(e) for e in stack.lilypad.history(stack.block, "JobAdded")}
            for answer in _v2_answers(stack, routes):
                answered.setdefault(answer.job_id, []).append(answer)
        else:
            created = {
                e.jobId: Job(e.jobId, e.client, e.module, e.params)
                for e in stack.lilypad.history(stack.block, "JobCreated")
            }
            for e in stack.lilypad.history(stack.block, "JobAnswered"):
                answered.setdefault(e.jobId, []).append(Answer(e.jobId, e.provider, e.failed, e.result))
        return cls(created, answered, routes)

    def pending(self) -> list[int]:
        return sorted(j for j in self.created if j not in self.answered)


def _v2_answers(stack: Stack, routes: dict[int, Route]) -> list[Answer]:
    """v2's answers, by the registry's record of them: a result, a non-CID answer that failed the attempt, or one
    ignored; each answer's sender from its transaction."""
    job_of = {route.key: job_id for job_id, route in routes.items()}
    senders: dict[str, str] = {}

    def sender(event: Event) -> str:
        if event.tx not in senders:
            senders[event.tx] = stack.chain.request("eth_getTransactionByHash", [event.tx])["from"]
        return to_checksum_address(senders[event.tx])

    answers = []
    for event in stack.registry.history(stack.block):
        key = (getattr(event, "workflowId", 0), getattr(event, "stepIndex", 0), getattr(event, "attempt", 0))
        if event.name == "StepCompleted":
            answers.append(Answer(job_of[key], sender(event), False, event.cid))
        elif event.name == "StepFailed" and event.reason not in NOT_ANSWERS:
            answers.append(Answer(job_of[key], sender(event), True, event.reason))
        elif event.name == "ResultIgnored":
            answers.append(Answer(event.jobId, sender(event), False, event.result))
    return answers


@dataclass
class StandIn:
    """Posts as the provider account (v2: the controller) and expires as a stranger. Answers follow `plan` like
    the provider's."""

    stack: Stack
    provider_key: str
    stranger_key: str
    store: ContentStore
    plan: FaultPlan
    posted: set[int] = field(default_factory=set)  # jobs this stand-in answered
    duplicates: Counter[int] = field(default_factory=Counter)  # v2: second answers the registry took, ignored

    @property
    def stranger(self) -> str:
        return Account.from_key(self.stranger_key).address

    @property
    def provider(self) -> str:
        return Account.from_key(self.provider_key).address

    def answer(self, job: Job, route: Route) -> dict[str, Any] | None:
        """Answer `job` as the provider would (the plan's fault, else the module's real output); None when it
        is left unanswered (a hang; on v2 also a failure, which v2 cannot post). Reverted if the chain refuses
        it. On v2 the job's deposit is taken first, as the service does, unless it is left unanswered: the
        provider, restarted, takes that one itself."""
        fault = self.plan.decide(route.key)
        if fault is Fault.HANG:
            return None
        v2 = self.stack.backend == "v2"
        if fault is Fault.FAIL:
            return None if v2 else self.post(job.job_id, False, FAILURE_REASON)
        outcome = execute(job.module, job.params, self.store)
        if v2:
            if not outcome.ok:
                return None
            self.take_deposit()
        return self.post(job.job_id, outcome.ok, outcome.cid if outcome.ok else str(outcome.reason))

    def take_deposit(self) -> None:
        """v2: take one job's deposit (the job creator's required deposit) from the registry, as the controller."""
        stack = self.stack
        assert stack.token is not None
        deposit = stack.lilypad.call("getRequiredDeposit")
        receipt = stack.token.send(self.provider_key, "transferFrom", stack.registry.address, self.provider, deposit)
        assert ok(receipt), receipt

    def post(self, job_id: int, success: bool, text: str) -> dict[str, Any]:
        """Post an answer as it is (v2: results only, no deposit taken: a late answer the service would not
        send, or a failure text as a result); the receipt."""
        if self.stack.backend == "v2":
            assert success, "Lilypad v2 has no failure callback"
            receipt = self.stack.lilypad.send(self.provider_key, "submitResults", job_id, deal_id(job_id), text)
        else:
            method = "postResult" if success else "postFailure"
            receipt = self.stack.lilypad.send(self.provider_key, method, job_id, text)
        assert ok(receipt), receipt
        self.posted.add(job_id)
        return receipt

    def duplicate(self, job_id: int, text: str) -> str:
        """Post an answer for a job answered already, as a real transaction; what it met. v1: the custom error
        LocalLilypad reverts with (gas given, so it is mined though it reverts). v2: "ResultIgnored", the one
        event the registry emits for it (LocalLilypadV2 forwards every answer of its controller)."""
        if self.stack.backend == "v2":
            return self._duplicate_v2(job_id, text)
        data = self.stack.lilypad.calldata("postResult", job_id, text)
        try:
            self.stack.chain.call(self.stack.lilypad.address, data, self.provider)
        except Reverted as exc:
            reason = self.stack.lilypad.error_name(exc.data)
        else:
            raise AssertionError(f"a second answer for job {job_id} would be accepted")
        receipt = self.stack.chain.send(self.provider_key, self.stack.lilypad.address, data, gas=1_000_000)
        assert not ok(receipt), f"a second answer for job {job_id} was accepted"
        return reason

    def _duplicate_v2(self, job_id: int, text: str) -> str:
        receipt = self.stack.lilypad.send(self.provider_key, "submitResults", job_id, deal_id(job_id), text)
        assert ok(receipt), receipt
        events = self.stack.registry.receipt_events(receipt)
        names = [e.name for e in events]
        assert names == ["ResultIgnored"] and events[0].jobId == job_id, f"second answer for job {job_id}: {names}"
        self.duplicates[job_id] += 1
        return "ResultIgnored"

    def expire_overdue(self, workflow_ids: list[int], timeouts: dict[int, dict[int, int]]) -> list[Event]:
        """Expire, as the stranger, every attempt past its step's timeout; the StepExpired events."""
        registry, now = self.stack.registry, self.stack.chain.timestamp()
        expired: list[Event] = []
        for workflow_id in workflow_ids:
            summary = registry.call("getWorkflow", workflow_id)
            if WorkflowStatus(summary.status) not in LIVE or not summary.inFlightCount:
                continue
            for index, state in enumerate(registry.call("getSteps", workflow_id)):
                timeout = timeouts[workflow_id].get(index, 0)
                if StepStatus(state.status) is not StepStatus.DISPATCHED or not timeout:
                    continue
                if state.dispatchedAt + timeout > now:
                    continue
                try:
                    receipt = registry.send(self.stranger_key, "expire", workflow_id, index)
                except Reverted as exc:  # the provider's keeper was first (and its expiry may have ended the workflow)
                    assert registry.error_name(exc.data) in ("StepNotExpirable", "WrongWorkflowStatus"), exc
                    continue
                expired += registry.receipt_events(receipt, "StepExpired")
        return expired
