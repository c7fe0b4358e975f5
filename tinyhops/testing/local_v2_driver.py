"""Drive workflows on LocalLilypadV2 by hand: play the job-creator service (the controller) and the keeper.

The v2 twin of `local_driver.LocalDriver`, for the gas benchmark and the contract tests: each job's deposit
is taken from the registry with `transferFrom` as Lilypad's service takes it, then its result is posted with
`submitResults(id, dealId, dataId)` through the job creator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tinyhops.chain.deploy import DELIVERY_GAS_LIMIT
from tinyhops.encoding.backends import V2, for_backend
from tinyhops.encoding.submit_arguments import encode
from tinyhops.encoding.workflow_options import WorkflowOptions, options_of
from tinyhops.provider.cids import cid_of
from tinyhops.spec.model import Workflow


@dataclass
class AddedJob:
    """A job LocalLilypadV2 announced (its JobAdded event)."""

    job_id: int
    module: str
    inputs: list[str]
    payee: str


@dataclass
class LocalV2Driver:
    """Submits workflows laid out for v2, takes each job's deposit and answers it as `controller`; calls
    `advance` as `keeper`. The sender of `submit` must have allowed the registry its deposits."""

    registry: Any
    job_creator: Any
    token: Any
    controller: Any
    keeper: Any
    pending: dict[int, AddedJob] = field(default_factory=dict)

    def collect(self, receipt: Any) -> Any:
        """Remember the jobs a transaction added."""
        for log in self.job_creator.JobAdded.from_receipt(receipt):
            self.pending[log.id] = AddedJob(log.id, log.module, list(log.inputs), log.payee)
        return receipt

    def collect_since(self, block: int) -> None:
        """Remember the jobs added from `block` on, by any transaction (a client's own submit, say)."""
        from ape import chain

        for log in self.job_creator.JobAdded.range(block, chain.blocks.height + 1):
            self.pending[log.id] = AddedJob(log.id, log.module, list(log.inputs), log.payee)

    def submit(
        self,
        workflow: Workflow,
        sender: Any,
        deposit: int | None = None,
        options: WorkflowOptions | None = None,
        **kwargs: Any,
    ) -> tuple[int, Any]:
        """Submit `workflow` as the v2 registry is sent it; return the new workflow id and the receipt. With
        options (given, or the workflow's own), the gas deposit is sent as ether, the steps' in tokens."""
        laid_out = for_backend(workflow, V2)
        amount = laid_out.required_deposit_wei if deposit is None else deposit
        steps = [tuple(d) for d in encode(laid_out)]
        options = options or options_of(workflow)
        if options is None:
            receipt = self.registry.submit(steps, amount, sender=sender, **kwargs)
        else:
            kwargs = {"value": options.gasDeposit, **kwargs}
            receipt = self.registry.submit(steps, amount, tuple(options), sender=sender, **kwargs)
        self.collect(receipt)
        (event,) = self.registry.WorkflowSubmitted.from_receipt(receipt)
        return event.workflowId, receipt

    def take_deposit(self, job_id: int) -> Any:
        """The service's first move on JobAdded: take the job creator's deposit from the payee."""
        payee = self.pending[job_id].payee
        return self.token.transferFrom(
            payee, self.controller, self.job_creator.getRequiredDeposit(), sender=self.controller
        )

    def answer(self, job_id: int, result: str | None = None) -> Any:
        """Take the job's deposit, then post its result (by default the CID of its id) through the job creator;
        return the receipt of the result. Sent with DELIVERY_GAS_LIMIT, as `LocalDriver.answer` explains."""
        self.take_deposit(job_id)
        self.pending.pop(job_id)
        cid = result if result is not None else cid_of(f"{job_id}:".encode())
        options = {"sender": self.controller, "gas_limit": DELIVERY_GAS_LIMIT}
        return self.collect(self.job_creator.submitResults(job_id, f"deal-{job_id}", cid, **options))

    def advance(self, workflow_id: int, max_dispatches: int = 8) -> Any:
        return self.collect(self.registry.advance(workflow_id, max_dispatches, sender=self.keeper))
