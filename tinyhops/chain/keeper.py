"""Keeper duty, done by the provider on every poll: `advance` workflows with queued work, `expire` attempts
older than their step's timeout (read from `getSteps`, one call per workflow with attempts in flight)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tinyhops.chain.registry_client import StepStatus, WorkflowStatus

Log = Callable[[str], None]

MAX_DISPATCHES_PER_ADVANCE = 8


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

    def __init__(self, registry: Any, account: Any, web3: Any, log: Log):
        self.registry = registry
        self.account = account
        self.web3 = web3
        self.log = log
        self.known = 0  # workflows 1..known have been seen
        self.live: set[int] = set()

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
            self.registry.advance(workflow_id, MAX_DISPATCHES_PER_ADVANCE, sender=self.account)
        except Exception as exc:  # noqa: BLE001 - a failed keeper call is logged, never fatal
            self.log(f"keeper: advance({workflow_id}) failed: {describe_revert(exc)}")
            return 0
        self.log(f"keeper: advanced workflow {workflow_id} ({queued} queued)")
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
                self.registry.expire(workflow_id, index, sender=self.account)
            except Exception as exc:  # noqa: BLE001 - e.g. the answer arrived meanwhile
                if deadline <= latest:
                    self.log(f"keeper: expire({workflow_id}, {index}) failed: {describe_revert(exc)}")
                continue
            self.log(
                f"keeper: expired workflow {workflow_id} step {step.stepId} attempt {step.attempts} "
                f"(job {step.jobId}, timeout {step.timeout}s)"
            )
            sent += 1
        return sent


def serve(project: Any, chain: Any, account: str | None, poll_seconds: float, once: bool, log: Log = print) -> int:
    """`ape run keeper`: keeper duty alone, for any network (on the local chain the provider does it too).
    Returns the number of transactions sent; stops on Ctrl-C."""
    from tinyhops.chain import address_book
    from tinyhops.chain.accounts import signer
    from tinyhops.chain.binding import bind

    deployment = address_book.load(chain.chain_id, code_at=chain.provider.get_code)
    sender = signer(account, chain.chain_id in address_book.LOCAL_CHAIN_IDS)
    keeper = Keeper(bind(project.WorkflowRegistry, deployment.registry), sender, chain.provider.web3, log)
    log(f"keeper for registry {deployment.registry} as {sender.address}, every {poll_seconds} s")
    sent = 0
    try:
        while True:
            done = keeper.tick()
            sent += done
            if once and not done:
                return sent
            time.sleep(poll_seconds)
    except KeyboardInterrupt:
        log(f"stopped after {sent} transactions")
        return sent
