"""Keeper duty, done by the provider on every poll: `advance` workflows with queued work, `expire` attempts
older than their step's timeout (read from `getSteps`, one call per workflow with attempts in flight).

A keeper is paid back from each workflow's gas deposit for the calls that did work (KeeperReimbursed): it
counts what it earned. The runner (`tiny-hops runner`, `ape run runner`) is a keeper of runner-mode workflows
only, whose Lilypad callbacks leave every dispatch to it; the provider's own keeper leaves those to the runner.
Nothing is kept between rounds but what the chain says, so any of them may stop and start again at will."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tinyhops.chain.registry_client import StepStatus, WorkflowStatus

Log = Callable[[str], None]

MAX_DISPATCHES_PER_ADVANCE = 8

# Which workflows a keeper looks after: all, those in the default mode (the provider's), runner mode only.
ALL, DEFAULT_MODE, RUNNER_MODE = "all", "default", "runner"


def describe_revert(exc: BaseException) -> str:
    """A revert as one line: the custom error with its inputs as Ape decoded it, else the revert message."""
    name = getattr(exc, "name", None) if hasattr(exc, "abi") else None
    inputs = getattr(exc, "inputs", None)
    if name:
        args = ", ".join(f"{k}={v}" for k, v in (inputs or {}).items())
        return f"{name}({args})"
    message = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {message}"[:300]


class Keeper:
    """Advances and expires the registry's live workflows as `account`."""

    def __init__(
        self,
        registry: Any,
        account: Any,
        web3: Any,
        log: Log,
        mode: str = ALL,
        workflow_ids: frozenset[int] = frozenset(),
    ):
        self.registry = registry
        self.account = account
        self.web3 = web3
        self.log = log
        self.mode = mode
        self.workflow_ids = workflow_ids  # only these, when given
        self.known = 0  # workflows 1..known have been seen
        self.live: set[int] = set()
        self.runner_mode: dict[int, bool] = {}  # fixed at submit, so read once per workflow
        self.earned = 0  # wei paid to this keeper (KeeperReimbursed) since it started

    def _looks_after(self, workflow_id: int) -> bool:
        if self.workflow_ids and workflow_id not in self.workflow_ids:
            return False
        if self.mode == ALL:
            return True
        if workflow_id not in self.runner_mode:
            self.runner_mode[workflow_id] = bool(self.registry.keeperAccountOf(workflow_id).runner)
        return self.runner_mode[workflow_id] == (self.mode == RUNNER_MODE)

    def _paid(self, receipt: Any, call: str) -> None:
        """Count and log what the registry paid this keeper for a call."""
        for event in self.registry.KeeperReimbursed.from_receipt(receipt):
            if str(event.keeper).lower() == str(self.account.address).lower():
                self.earned += int(event.amount)
                self.log(f"keeper: paid {event.amount} wei for {call} ({event.gasUsed} gas; {self.earned} wei so far)")

    def forget(self) -> None:
        """Forget every workflow seen: after the chain lost blocks, ids may be gone or name other workflows."""
        self.known = 0
        self.live.clear()

    def tick(self) -> int:
        """One round over every live workflow; returns how many transactions were sent."""
        count = int(self.registry.workflowCount())
        self.live.update(range(self.known + 1, count + 1))
        self.known = count
        sent = 0
        for workflow_id in sorted(self.live):
            if not self._looks_after(workflow_id):
                self.live.discard(workflow_id)
                continue
            summary = self.registry.getWorkflow(workflow_id)
            status = WorkflowStatus(summary.status)
            if status.final:
                self.live.discard(workflow_id)
                continue
            if status is WorkflowStatus.RUNNING and summary.queuedCount > 0:
                sent += self._advance(workflow_id, int(summary.queuedCount))
            if summary.inFlightCount > 0:
                sent += self._expire_overdue(workflow_id)
        return sent

    def _advance(self, workflow_id: int, queued: int) -> int:
        try:
            receipt = self.registry.advance(workflow_id, MAX_DISPATCHES_PER_ADVANCE, sender=self.account)
        except Exception as exc:  # noqa: BLE001 - a failed keeper call is logged, never fatal
            self.log(f"keeper: advance({workflow_id}) failed: {describe_revert(exc)}")
            return 0
        self.log(f"keeper: advanced workflow {workflow_id} ({queued} queued)")
        self._paid(receipt, f"advance({workflow_id})")
        return 1

    def _expire_overdue(self, workflow_id: int) -> int:
        """Expire every attempt of the workflow past its step's timeout. One `getSteps` call reads them all.

        Due means due by the chain's clock (the latest block's timestamp), which is what `expire` checks. A
        development chain mines only when asked, so its latest block may be old: an attempt due by the wall
        clock is tried too (the transaction's block is stamped now), and a refusal of that guess is not news."""
        latest = int(self.web3.eth.get_block("latest")["timestamp"])
        now = max(latest, int(time.time()))
        sent = 0
        for index, step in enumerate(self.registry.getSteps(workflow_id)):
            deadline = int(step.dispatchedAt) + int(step.timeout)
            if StepStatus(step.status) is not StepStatus.DISPATCHED or not step.timeout or deadline > now:
                continue
            try:
                receipt = self.registry.expire(workflow_id, index, sender=self.account)
            except Exception as exc:  # noqa: BLE001 - e.g. the answer arrived meanwhile
                if deadline <= latest:
                    self.log(f"keeper: expire({workflow_id}, {index}) failed: {describe_revert(exc)}")
                continue
            self.log(
                f"keeper: expired workflow {workflow_id} step {step.stepId} attempt {step.attempts} "
                f"(job {step.jobId}, timeout {step.timeout}s)"
            )
            self._paid(receipt, f"expire({workflow_id}, {index})")
            sent += 1
        return sent

    def earnings(self) -> str:
        """What this keeper earned since it started and what it may withdraw (`withdrawGas`), in one line."""
        balance = int(self.registry.gasBalanceOf(self.account.address))
        return f"earned {self.earned} wei from gas deposits; gas balance {balance} wei (withdrawGas pays it out)"


def serve(
    project: Any,
    chain: Any,
    account: str | None,
    poll_seconds: float,
    once: bool,
    log: Log = print,
    mode: str = ALL,
    workflow_ids: frozenset[int] = frozenset(),
) -> int:
    """`ape run keeper`: keeper duty alone, for any network (on the local chain the provider does it too);
    `ape run runner`, `tiny-hops runner`: the same for runner-mode workflows (`mode`), or `workflow_ids` only.
    Returns the number of transactions sent; stops on Ctrl-C, saying what it earned."""
    from tinyhops.chain import address_book
    from tinyhops.chain.accounts import signer
    from tinyhops.chain.binding import bind

    deployment = address_book.load(chain.chain_id, code_at=chain.provider.get_code)
    sender = signer(account, chain.chain_id in address_book.LOCAL_CHAIN_IDS)
    registry = bind(project.WorkflowRegistry, deployment.registry)
    keeper = Keeper(registry, sender, chain.provider.web3, log, mode, workflow_ids)
    role = "runner" if mode == RUNNER_MODE else "keeper"
    log(f"{role} for registry {deployment.registry} as {sender.address}, every {poll_seconds} s")
    sent = 0
    try:
        while True:
            done = keeper.tick()
            sent += done
            if once and not done:
                log(f"{role}: {sent} transactions; {keeper.earnings()}")
                return sent
            time.sleep(poll_seconds)
    except KeyboardInterrupt:
        log(f"stopped after {sent} transactions; {keeper.earnings()}")
        return sent
