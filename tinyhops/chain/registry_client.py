"""The registry as Python sees it: cost estimates checked against Lilypad, submit, control, and state.

Works inside any Ape network context (`ape run ...` or `tinyhops.chain.connection.connect`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from tinyhops.chain import address_book
from tinyhops.chain.binding import bind
from tinyhops.encoding.submit_arguments import encode
from tinyhops.errors import SubmitError, TinyHopsError
from tinyhops.spec.model import Workflow
from tinyhops.spec.units import format_wei


class WorkflowStatus(IntEnum):
    NONE = 0
    RUNNING = 1
    PAUSED = 2
    COMPLETED = 3
    FAILED = 4
    CANCELLED = 5

    @property
    def final(self) -> bool:
        return self in (WorkflowStatus.COMPLETED, WorkflowStatus.FAILED, WorkflowStatus.CANCELLED)


class StepStatus(IntEnum):
    """IWorkflowRegistry.StepStatus. SKIPPED and CANCELLED are what a step reads as once its workflow failed
    or was cancelled: it never ran to the end, or its job was in flight."""

    WAITING = 0
    READY = 1
    DISPATCHED = 2
    COMPLETED = 3
    FAILED = 4
    SKIPPED = 5
    CANCELLED = 6


@dataclass(frozen=True)
class StepCost:
    step_id: int
    module: str
    cost_wei: int
    attempts: int
    lilypad_cost_wei: int


@dataclass(frozen=True)
class Estimate:
    steps: tuple[StepCost, ...]

    @property
    def required_wei(self) -> int:
        return sum(s.cost_wei * s.attempts for s in self.steps)

    @property
    def underpriced(self) -> list[StepCost]:
        return [s for s in self.steps if s.cost_wei < s.lilypad_cost_wei]


@dataclass(frozen=True)
class StepView:
    index: int
    step_id: int
    status: StepStatus
    attempts: int
    job_id: int
    module: str
    cost_wei: int
    params: str
    result_cid: str
    dispatched_at: int


@dataclass(frozen=True)
class WorkflowView:
    workflow_id: int
    owner: str
    status: WorkflowStatus
    balance_wei: int
    spent_wei: int
    step_count: int
    completed: int
    in_flight: int
    queued: int
    steps: tuple[StepView, ...]
    refunded_wei: int = 0  # credited to the owner when the workflow ended


class RegistryClient:
    """One deployment's registry and Lilypad, bound to the connected chain."""

    def __init__(self, project: Any, deployment: address_book.Deployment):
        self.deployment = deployment
        self.registry = bind(project.WorkflowRegistry, deployment.registry)
        # Any Lilypad v1 answers getModuleCost; the local stand-in's ABI is a superset of it.
        self.lilypad = bind(project.LocalLilypad, deployment.lilypad)

    @classmethod
    def connect(cls, project: Any, chain: Any) -> RegistryClient:
        deployment = address_book.load(chain.chain_id, code_at=chain.provider.get_code)
        return cls(project, deployment)

    def estimate(self, workflow: Workflow) -> Estimate:
        prices: dict[str, int] = {}
        steps = []
        for step in workflow.steps:
            if step.module not in prices:
                prices[step.module] = int(self.lilypad.getModuleCost(step.module))
            steps.append(StepCost(step.step_id, step.module, step.cost_wei, 1 + step.retries, prices[step.module]))
        return Estimate(tuple(steps))

    def check(self, workflow: Workflow, deposit_wei: int | None) -> tuple[Estimate, int]:
        """Refuse before sending anything: a step priced below its module, or a deposit too small."""
        estimate = self.estimate(workflow)
        problems = [
            f"step {s.step_id} ({s.module}) offers {format_wei(s.cost_wei)} but Lilypad charges "
            f"{format_wei(s.lilypad_cost_wei)}"
            for s in estimate.underpriced
        ]
        if problems:
            raise SubmitError("; ".join(problems))
        deposit = estimate.required_wei if deposit_wei is None else deposit_wei
        if deposit < estimate.required_wei:
            raise SubmitError(
                f"deposit {format_wei(deposit)} does not cover every attempt: "
                f"{format_wei(estimate.required_wei)} is needed (unspent deposit is refundable)"
            )
        return estimate, deposit

    def submit(self, workflow: Workflow, account: Any, deposit_wei: int | None = None) -> int:
        _, deposit = self.check(workflow, deposit_wei)
        receipt = self.registry.submit([tuple(d) for d in encode(workflow)], sender=account, value=deposit)
        (event,) = self.registry.WorkflowSubmitted.from_receipt(receipt)
        return int(event.workflowId)

    def view(self, workflow_id: int) -> WorkflowView:
        if not 0 < workflow_id <= self.registry.workflowCount():
            raise TinyHopsError(f"there is no workflow {workflow_id} on registry {self.registry.address}")
        summary = self.registry.getWorkflow(workflow_id)
        steps = tuple(
            StepView(
                index=i,
                step_id=int(s.stepId),
                status=StepStatus(s.status),
                attempts=int(s.attempts),
                job_id=int(s.jobId),
                module=s.module,
                cost_wei=int(s.cost),
                params=s.params,
                result_cid=s.resultCid,
                dispatched_at=int(s.dispatchedAt),
            )
            for i, s in enumerate(self.registry.getSteps(workflow_id))
        )
        return WorkflowView(
            workflow_id=workflow_id,
            owner=summary.owner,
            status=WorkflowStatus(summary.status),
            balance_wei=int(summary.balance),
            spent_wei=int(summary.spent),
            step_count=int(summary.stepCount),
            completed=int(summary.completedCount),
            in_flight=int(summary.inFlightCount),
            queued=int(summary.queuedCount),
            steps=steps,
            refunded_wei=int(summary.refunded),
        )

    def _check_control(self, workflow_id: int, account: Any, action: str, allowed: set[WorkflowStatus]) -> None:
        """Say plainly why the registry would refuse, before sending (it checks the same again)."""
        summary = self.registry.getWorkflow(workflow_id) if workflow_id <= self.registry.workflowCount() else None
        if summary is None:
            raise TinyHopsError(f"there is no workflow {workflow_id}")
        if summary.owner != account.address:
            raise TinyHopsError(f"only the owner of workflow {workflow_id} ({summary.owner}) may {action} it")
        status = WorkflowStatus(summary.status)
        if status not in allowed:
            raise TinyHopsError(f"workflow {workflow_id} is {status.name.title()}: it cannot be {action}d now")

    def pause(self, workflow_id: int, account: Any) -> Any:
        self._check_control(workflow_id, account, "pause", {WorkflowStatus.RUNNING})
        return self.registry.pause(workflow_id, sender=account)

    def resume(self, workflow_id: int, account: Any) -> Any:
        self._check_control(workflow_id, account, "resume", {WorkflowStatus.PAUSED})
        return self.registry.resume(workflow_id, sender=account)

    def cancel(self, workflow_id: int, account: Any) -> Any:
        self._check_control(workflow_id, account, "cancel", {WorkflowStatus.RUNNING, WorkflowStatus.PAUSED})
        return self.registry.cancel(workflow_id, sender=account)

    def withdraw(self, account: Any) -> int:
        amount = int(self.registry.refundableOf(account.address))
        if amount == 0:
            raise TinyHopsError(f"nothing to withdraw for {account.address}")
        self.registry.withdraw(sender=account)
        return amount
