"""Drive workflows on a local chain by hand: play the resource provider and the keeper.

The gas benchmark and the contract tests use this to post results exactly as a provider would
(through LocalLilypad), without the provider process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tinyhops.chain.deploy import DELIVERY_GAS_LIMIT
from tinyhops.encoding.submit_arguments import encode
from tinyhops.encoding.workflow_options import WorkflowOptions, options_of
from tinyhops.provider.cids import cid_of
from tinyhops.spec.model import Workflow


@dataclass
class SubmittedJob:
    """A job LocalLilypad announced."""

    job_id: int
    module: str
    params: str
    payment: int


@dataclass
class LocalDriver:
    """Submits workflows and answers their jobs as `provider`; calls `advance` as `keeper`."""

    registry: Any
    lilypad: Any
    provider: Any
    keeper: Any
    pending: dict[int, SubmittedJob] = field(default_factory=dict)

    def collect(self, receipt: Any) -> Any:
        """Remember the jobs a transaction created."""
        for log in self.lilypad.JobCreated.from_receipt(receipt):
            self.pending[log.jobId] = SubmittedJob(log.jobId, log.module, log.params, log.payment)
        return receipt

    def submit(
        self,
        workflow: Workflow,
        sender: Any,
        value: int | None = None,
        options: WorkflowOptions | None = None,
        **kwargs: Any,
    ) -> tuple[int, Any]:
        """Submit; return the new workflow id and the receipt. With options (given, or the workflow's own:
        runner mode, a keeper budget), `value` is the step deposit and the gas deposit is sent on top."""
        deposit = workflow.required_deposit_wei if value is None else value
        steps = [tuple(d) for d in encode(workflow)]
        options = options or options_of(workflow)
        if options is None:
            receipt = self.registry.submit(steps, sender=sender, value=deposit, **kwargs)
        else:
            value = deposit + options.gasDeposit
            receipt = self.registry.submit(steps, tuple(options), sender=sender, value=value, **kwargs)
        self.collect(receipt)
        (event,) = self.registry.WorkflowSubmitted.from_receipt(receipt)
        return event.workflowId, receipt

    def answer(self, job_id: int, result: str | None = None, *, failure: str | None = None) -> Any:
        """Post a job's result (by default the CID of its params) or its failure.

        Sent with DELIVERY_GAS_LIMIT, not an estimate: a result delivered with too little gas for the
        dispatches it makes due is still recorded, those dispatches waiting for `advance`, so an estimate
        finds that cheaper path. A provider gives a delivery room to dispatch, as this does."""
        self.pending.pop(job_id, None)
        options = {"sender": self.provider, "gas_limit": DELIVERY_GAS_LIMIT}
        if failure is not None:
            return self.collect(self.lilypad.postFailure(job_id, failure, **options))
        cid = result if result is not None else cid_of(f"{job_id}:".encode())
        return self.collect(self.lilypad.postResult(job_id, cid, **options))

    def advance(self, workflow_id: int, max_dispatches: int = 8) -> Any:
        return self.collect(self.registry.advance(workflow_id, max_dispatches, sender=self.keeper))

    def run_to_end(self, workflow_id: int, limit: int = 10_000) -> list[Any]:
        """Answer every job and advance until the workflow ends; return the delivery receipts."""
        receipts = []
        for _ in range(limit):
            summary = self.registry.getWorkflow(workflow_id)
            if summary.status not in (1, 2):
                return receipts
            if self.pending:
                receipts.append(self.answer(min(self.pending)))
            elif summary.queuedCount:
                self.advance(workflow_id)
            else:
                raise RuntimeError(f"workflow {workflow_id} is stuck: nothing pending, nothing queued")
        raise RuntimeError(f"workflow {workflow_id} did not end within {limit} steps")
