"""The registry as Python sees it: cost estimates checked against Lilypad, submit, control, and state.

Works inside any Ape network context (`ape run ...` or `tinyhops.chain.connection.connect`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property
from typing import Any

from tinyhops.chain import address_book, step_labels
from tinyhops.chain.binding import bind
from tinyhops.encoding.backends import for_backend
from tinyhops.encoding.submit_arguments import encode
from tinyhops.encoding.workflow_options import options_of
from tinyhops.errors import SubmitError, TinyHopsError, UnknownWorkflow, one_line
from tinyhops.spec.model import Workflow
from tinyhops.spec.units import ETHER_UNIT, Unit, format_amount, token_unit


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


EXPIRED = "expired"  # the StepFailed reason of an attempt given up on after its timeout (IWorkflowRegistry)


@dataclass(frozen=True)
class FailedAttempt:
    """One failed attempt of a step, from its StepFailed event: why (one line, bounded), and whether the
    registry retried it."""

    attempt: int
    reason: str
    will_retry: bool

    @property
    def expired(self) -> bool:
        return self.reason == EXPIRED

    def describe(self) -> str:
        if self.expired:
            return f"attempt {self.attempt} expired: no answer within the step's timeout"
        return f"attempt {self.attempt} failed: {self.reason}"


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
    failures: tuple[FailedAttempt, ...] = ()  # every failed attempt, oldest first

    @property
    def cached(self) -> bool:
        """Served from the registry's result cache: completed without an attempt (a step is looked up only at
        its first dispatch), `job_id` being the job whose result it reused."""
        return self.status is StepStatus.COMPLETED and self.attempts == 0


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
    run: int = 1  # 1 for the run submit started, one more per redrive; the money above is this run's


class RegistryClient:
    """One deployment's registry and Lilypad, bound to the connected chain."""

    def __init__(self, project: Any, deployment: address_book.Deployment):
        self.deployment = deployment
        self.backend = deployment.backend
        if self.backend == "v2":
            self.registry = bind(project.LilypadV2Registry, deployment.registry)
            self.lilypad = bind(project.LocalLilypadV2, deployment.lilypad)  # its ABI is the job creator's
            self.token = bind(project.LocalLilypadToken, self.lilypad.getTokenAddress())  # ERC-20 calls only
        else:
            self.registry = bind(project.LilypadV1Registry, deployment.registry)
            # Any Lilypad v1 answers getModuleCost; the local stand-in's ABI is a superset of it.
            self.lilypad = bind(project.LocalLilypad, deployment.lilypad)
            self.token = None

    @cached_property
    def unit(self) -> Unit:
        """What the escrow counts in: ether on v1; on v2 the job creator's token, by its own symbol and decimals
        (tinyhops.spec.units.token_unit says what is made of a token that misstates them)."""
        if self.token is None:
            return ETHER_UNIT
        return token_unit(_ask(self.token.symbol), _ask(self.token.decimals))

    def balance_of(self, address: str) -> int:
        """What `address` holds in the escrow's unit: ether, or the token."""
        from ape import chain

        if self.token is None:
            return int(chain.provider.get_balance(address))
        return int(self.token.balanceOf(address))

    @classmethod
    def connect(cls, project: Any, chain: Any) -> RegistryClient:
        deployment = address_book.load(chain.chain_id, code_at=chain.provider.get_code)
        return cls(project, deployment)

    def laid_out(self, workflow: Workflow, source: str = "<workflow>") -> Workflow:
        """`workflow` as this deployment's backend is sent it: on v2, modules under their v2 names, params as
        `Key=Value` inputs, every step with a timeout (`tinyhops.encoding.backends`). Raises WorkflowInvalid
        naming each step that cannot travel there; a workflow already laid out for it is returned as it is."""
        return for_backend(workflow, self.backend, source)

    def estimate(self, workflow: Workflow) -> Estimate:
        workflow = self.laid_out(workflow)
        prices: dict[str, int] = {}
        steps = []
        for step in workflow.steps:
            if step.module not in prices:
                prices[step.module] = self._price(step.module)
            steps.append(StepCost(step.step_id, step.module, step.cost_wei, 1 + step.retries, prices[step.module]))
        return Estimate(tuple(steps))

    def _price(self, module: str) -> int:
        """What Lilypad charges a job of `module`: v1's per-module cost, v2's one deposit for every job (v2
        cannot tell an unknown module)."""
        if self.backend == "v2":
            return int(self.lilypad.getRequiredDeposit())
        return int(self.lilypad.getModuleCost(module))

    def check(
        self, workflow: Workflow, deposit_wei: int | None, known_modules_only: bool = False
    ) -> tuple[Estimate, int]:
        """Refuse before sending anything: a step priced below its module, or a deposit too small; with
        `known_modules_only`, also a module this Lilypad does not offer (it prices it at 0: unknown to v1's
        `getModuleCost`, and to the local stand-in, which knows only the modules given a cost)."""
        estimate = self.estimate(workflow)
        label = workflow.labels()
        unknown = [
            f"step {label[s.step_id]}: module {s.module!r} is not offered by the Lilypad at {self.deployment.lilypad} "
            "(it has no price for it)"
            for s in estimate.steps
            if known_modules_only and s.lilypad_cost_wei == 0
        ]
        if unknown:
            raise SubmitError("; ".join(unknown))
        problems = [
            f"step {label[s.step_id]} ({s.module}) offers {format_amount(s.cost_wei, self.unit)} but Lilypad charges "
            f"{format_amount(s.lilypad_cost_wei, self.unit)}"
            for s in estimate.underpriced
        ]
        if problems:
            raise SubmitError("; ".join(problems))
        deposit = estimate.required_wei if deposit_wei is None else deposit_wei
        if deposit < estimate.required_wei:
            raise SubmitError(
                f"deposit {format_amount(deposit, self.unit)} does not cover every attempt: "
                f"{format_amount(estimate.required_wei, self.unit)} is needed (unspent deposit is refundable)"
            )
        return estimate, deposit

    def submit(self, workflow: Workflow, account: Any, deposit_wei: int | None = None) -> int:
        workflow = self.laid_out(workflow)
        _, deposit = self.check(workflow, deposit_wei)
        steps = [tuple(d) for d in encode(workflow)]  # laid out: on v2 every step has its timeout
        options = options_of(workflow)  # runner mode, a keeper budget: the submit with WorkflowOptions
        if self.token is not None:
            # The escrow pulls the deposit: allow exactly it (an ERC-20's approve replaces any earlier one).
            self.token.approve(self.registry.address, deposit, sender=account)
            if options is None:
                receipt = self.registry.submit(steps, deposit, sender=account)
            else:  # the gas deposit is ether, beside the token escrow
                receipt = self.registry.submit(steps, deposit, tuple(options), sender=account, value=options.gasDeposit)
        elif options is None:
            receipt = self.registry.submit(steps, sender=account, value=deposit)
        else:  # one value, split explicitly: the step deposit, then the gas deposit
            receipt = self.registry.submit(steps, tuple(options), sender=account, value=deposit + options.gasDeposit)
        (event,) = self.registry.WorkflowSubmitted.from_receipt(receipt)
        workflow_id = int(event.workflowId)
        step_labels.record(self.deployment.chain_id, self.registry.address, workflow_id, workflow)
        return workflow_id

    def labels(self, view: WorkflowView) -> step_labels.Labels:
        """The names this machine recorded when it submitted the workflow (none if another did)."""
        steps = [(s.step_id, s.module) for s in view.steps]
        return step_labels.recorded(self.deployment.chain_id, self.registry.address, view.workflow_id, steps)

    def require_workflow(self, workflow_id: int) -> None:
        """UnknownWorkflow unless the registry issued `workflow_id`."""
        count = int(self.registry.workflowCount())
        if not 0 < workflow_id <= count:
            raise UnknownWorkflow(workflow_id, self.registry.address, count)

    def failures(self, workflow_id: int) -> dict[int, tuple[FailedAttempt, ...]]:
        """Every failed attempt of the workflow's steps, by step id, oldest first (its StepFailed events)."""
        from ape import chain

        events = self.registry.StepFailed.range(
            self.deployment.block, chain.blocks.height + 1, search_topics={"workflowId": workflow_id}
        )
        found: dict[int, list[FailedAttempt]] = {}
        for event in events:
            attempt = FailedAttempt(int(event.attempt), one_line(str(event.reason)), bool(event.willRetry))
            found.setdefault(int(event.stepId), []).append(attempt)
        return {step_id: tuple(attempts) for step_id, attempts in found.items()}

    def view(self, workflow_id: int) -> WorkflowView:
        self.require_workflow(workflow_id)
        summary = self.registry.getWorkflow(workflow_id)
        states = self.registry.getSteps(workflow_id)
        # A step failed an attempt only if it failed, was dispatched again, or waits to be (a retry queued
        # while paused), or in an earlier run: read the events only then.
        failed_any = int(summary.run) > 1 or any(
            StepStatus(s.status) is StepStatus.FAILED
            or int(s.attempts) > 1
            or (StepStatus(s.status) is StepStatus.READY and int(s.attempts) > 0)
            for s in states
        )
        failures = self.failures(workflow_id) if failed_any else {}
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
                failures=failures.get(int(s.stepId), ()),
            )
            for i, s in enumerate(states)
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
            run=int(summary.run),
        )

    def _check_control(self, workflow_id: int, account: Any, action: str, allowed: set[WorkflowStatus]) -> None:
        """Say plainly why the registry would refuse, before sending (it checks the same again)."""
        self.require_workflow(workflow_id)
        summary = self.registry.getWorkflow(workflow_id)
        if summary.owner != account.address:
            raise TinyHopsError(f"only the owner of workflow {workflow_id} ({summary.owner}) may {action} it")
        status = WorkflowStatus(summary.status)
        if status not in allowed:
            done = {"pause": "paused", "resume": "resumed", "cancel": "cancelled", "redrive": "redriven"}[action]
            raise TinyHopsError(f"workflow {workflow_id} is {status.name.title()}: it cannot be {done} now")

    def pause(self, workflow_id: int, account: Any) -> Any:
        self._check_control(workflow_id, account, "pause", {WorkflowStatus.RUNNING})
        return self.registry.pause(workflow_id, sender=account)

    def resume(self, workflow_id: int, account: Any) -> Any:
        self._check_control(workflow_id, account, "resume", {WorkflowStatus.PAUSED})
        return self.registry.resume(workflow_id, sender=account)

    def cancel(self, workflow_id: int, account: Any) -> Any:
        self._check_control(workflow_id, account, "cancel", {WorkflowStatus.RUNNING, WorkflowStatus.PAUSED})
        return self.registry.cancel(workflow_id, sender=account)

    def redrive_required(self, workflow_id: int) -> int:
        """What a redrive of the workflow must pay: every attempt of every step without a result."""
        self.require_workflow(workflow_id)
        return sum(
            int(s.cost) * (1 + int(s.retries))
            for s in self.registry.getSteps(workflow_id)
            if StepStatus(s.status) is not StepStatus.COMPLETED
        )

    def redrive(self, workflow_id: int, account: Any, deposit_wei: int | None = None) -> tuple[int, int]:
        """Start the next run of a Failed or Cancelled workflow with `deposit_wei` (default: exactly what it
        requires); return the new run's number and how many steps went back into play (its WorkflowRedriven
        event). Refused before sending, one line, when it cannot be."""
        self._check_control(workflow_id, account, "redrive", {WorkflowStatus.FAILED, WorkflowStatus.CANCELLED})
        required = self.redrive_required(workflow_id)
        if required == 0:  # a step's cost is never 0: no step is without a result
            raise SubmitError(f"workflow {workflow_id}: every step already has its result; there is nothing to redrive")
        deposit = required if deposit_wei is None else deposit_wei
        if deposit < required:
            raise SubmitError(
                f"deposit {format_amount(deposit, self.unit)} does not cover every attempt of the steps to "
                f"redrive: {format_amount(required, self.unit)} is needed (unspent deposit is refundable)"
            )
        if (balance := self.balance_of(account.address)) < deposit:
            raise SubmitError(
                f"account {account.address} holds {format_amount(balance, self.unit)}, less than the deposit of "
                f"{format_amount(deposit, self.unit)}"
            )
        if self.token is not None:
            self.token.approve(self.registry.address, deposit, sender=account)
            receipt = self.registry.redrive(workflow_id, deposit, sender=account)
        else:
            receipt = self.registry.redrive(workflow_id, sender=account, value=deposit)
        (event,) = self.registry.WorkflowRedriven.from_receipt(receipt)
        return int(event.run), int(event.stepsRedriven)

    def withdraw(self, account: Any) -> int:
        """Send `account` its refundable balance; 0, sending nothing, when it has none."""
        amount = int(self.registry.refundableOf(account.address))
        if amount:
            self.registry.withdraw(sender=account)
        return amount

    def withdraw_gas(self, account: Any) -> int:
        """Send `account` its gas balance in wei (what keeper calls earned, gas deposits refunded to it as an
        owner: `withdrawGas`); 0, sending nothing, when it has none."""
        amount = int(self.registry.gasBalanceOf(account.address))
        if amount:
            self.registry.withdrawGas(sender=account)
        return amount


def _ask(view: Any) -> Any:
    """A token's optional view (ERC-20's symbol and decimals are optional): its answer, or None if it has none."""
    try:
        return view()
    except Exception:  # noqa: BLE001 - a token without the view, or one that reverts or answers garbage
        return None
