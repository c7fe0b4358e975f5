"""The other actors of a fault run, while the provider process is down: the registered provider account posting
answers by hand (out of order, twice, late) and a stranger expiring overdue attempts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_account import Account

from tinyhops.chain.registry_client import StepStatus, WorkflowStatus
from tinyhops.provider.executor import execute
from tinyhops.provider.faults import FAILURE_REASON, Fault, FaultPlan
from tinyhops.provider.store import ContentStore
from tinyhops.testing.reliability.rawchain import Event, Reverted, ok
from tinyhops.testing.reliability.stack import Stack

LIVE = (WorkflowStatus.RUNNING, WorkflowStatus.PAUSED)


@dataclass(frozen=True)
class Route:
    """Where a job belongs: the attempt of a step the registry submitted it for."""

    workflow_id: int
    index: int
    attempt: int

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.workflow_id, self.index, self.attempt)


@dataclass
class Jobs:
    """Every job the stack's Lilypad announced and every answer it took, from its events."""

    created: dict[int, Event]
    answered: dict[int, list[Event]]
    routes: dict[int, Route]

    @classmethod
    def read(cls, stack: Stack) -> Jobs:
        created = {e.jobId: e for e in stack.lilypad.history(stack.block, "JobCreated")}
        answered: dict[int, list[Event]] = {}
        for event in stack.lilypad.history(stack.block, "JobAnswered"):
            answered.setdefault(event.jobId, []).append(event)
        routes = {
            e.jobId: Route(e.workflowId, e.stepIndex, e.attempt)
            for e in stack.registry.history(stack.block, "StepDispatched")
        }
        return cls(created, answered, routes)

    def pending(self) -> list[int]:
        return sorted(j for j in self.created if j not in self.answered)


@dataclass
class StandIn:
    """Posts as the provider account and expires as a stranger. Answers follow `plan` like the provider's."""

    stack: Stack
    provider_key: str
    stranger_key: str
    store: ContentStore
    plan: FaultPlan
    posted: set[int] = field(default_factory=set)  # jobs this stand-in answered

    @property
    def stranger(self) -> str:
        return Account.from_key(self.stranger_key).address

    def answer(self, job: Event, route: Route) -> dict[str, Any] | None:
        """Answer `job` as the provider would (the plan's fault, else the module's real output); None for a
        hang. Reverted if the chain refuses it."""
        fault = self.plan.decide(route.key)
        if fault is Fault.HANG:
            return None
        if fault is Fault.FAIL:
            return self.post(job.jobId, False, FAILURE_REASON)
        outcome = execute(job.module, job.params, self.store)
        return self.post(job.jobId, outcome.ok, outcome.cid if outcome.ok else str(outcome.reason))

    def post(self, job_id: int, success: bool, text: str) -> dict[str, Any]:
        method = "postResult" if success else "postFailure"
        receipt = self.stack.lilypad.send(self.provider_key, method, job_id, text)
        assert ok(receipt), receipt
        self.posted.add(job_id)
        return receipt

    def duplicate(self, job_id: int, text: str) -> str:
        """Post an answer for a job answered already, as a real transaction (gas given, so it is mined even
        though it reverts); the custom error it reverts with."""
        data = self.stack.lilypad.calldata("postResult", job_id, text)
        provider = Account.from_key(self.provider_key).address
        try:
            self.stack.chain.call(self.stack.lilypad.address, data, provider)
        except Reverted as exc:
            reason = self.stack.lilypad.error_name(exc.data)
        else:
            raise AssertionError(f"a second answer for job {job_id} would be accepted")
        receipt = self.stack.chain.send(self.provider_key, self.stack.lilypad.address, data, gas=1_000_000)
        assert not ok(receipt), f"a second answer for job {job_id} was accepted"
        return reason

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
                except Reverted as exc:  # the provider's keeper was first
                    assert registry.error_name(exc.data) == "StepNotExpirable", exc
                    continue
                expired += registry.receipt_events(receipt, "StepExpired")
        return expired
