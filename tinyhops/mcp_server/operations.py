"""What each MCP tool does, as plain functions of an `Operator` (the operator's connected registry client, signing
account and budget). Each returns the tool's structured result or raises a TinyHopsError, whose one line the
server gives back as the tool's error. The workflow document and every other argument come from the agent:
hostile until checked."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tinyhops import spec
from tinyhops.catalog import Catalog, shipped_catalog, with_cache_defaults
from tinyhops.catalog.workflow_checks import catalog_findings
from tinyhops.errors import Problem, SubmitError, TinyHopsError, WorkflowInvalid
from tinyhops.spec.parameters import resolve
from tinyhops.spec.units import format_wei

# Media types of the formats tinyhops.cli.cat recognises, by the extension it gives them.
MEDIA_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "wasm": "application/wasm",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "gz": "application/gzip",
    "txt": "text/plain",
    "bin": "application/octet-stream",
}
DEFAULT_MAX_BYTES = 1 << 20


def problem_json(problem: Problem) -> dict[str, Any]:
    return {"path": problem.path, "stepId": problem.step_id, "kind": problem.kind, "message": problem.message}


def media_type_of(data: bytes) -> str:
    from tinyhops.cli.cat import extension_of

    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    return MEDIA_TYPES[extension_of(data)]


def workflow_of(
    document: Any, catalog: Catalog | None = None, parameters: Mapping[str, Any] | None = None
) -> spec.Workflow:
    """The validated workflow, its parameters given `parameters`; with `catalog`, its steps' inputs must also
    fit their modules' entries."""
    workflow = spec.from_document(document, name="workflow", parameters=parameters)
    if catalog is not None and (errors := catalog_findings(resolve(document, parameters)[0], catalog).errors):
        raise WorkflowInvalid("workflow", errors)
    return workflow


@dataclass
class Operator:
    """The operator's side of the server: a registry client on the connected chain (None: offline tools only),
    the account that signs, the budget (`--max-deposit`) and what this session has deposited so far."""

    client: Any
    account: Any
    budget_wei: int
    store: Any
    catalog: Catalog = field(default_factory=shipped_catalog)
    deposited_wei: int = 0

    @property
    def remaining_wei(self) -> int:
        return self.budget_wei - self.deposited_wei

    # ---- offline

    def list_modules(self) -> dict[str, Any]:
        return {"modules": [entry.summary() for entry in self.catalog]}

    def describe_module(self, name: str) -> dict[str, Any]:
        return {"module": dict(self.catalog.find(name).document)}

    def validate_workflow(self, workflow: Any, parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
        findings = catalog_findings(resolve(workflow, parameters)[0], self.catalog)
        problems = [*spec.problems(workflow, parameters), *findings.errors]
        result: dict[str, Any] = {
            "valid": not problems,
            "problems": [problem_json(p) for p in problems],
            "warnings": [problem_json(p) for p in findings.warnings],
        }
        if not problems:
            parsed = workflow_of(workflow, parameters=parameters)
            result["steps"] = len(parsed.steps)
            result["requiredDepositWei"] = str(sum(step.max_spend_wei for step in parsed.steps))
        return result

    def read_output(self, reference: str, maxBytes: int = DEFAULT_MAX_BYTES) -> dict[str, Any]:  # noqa: N803
        from tinyhops.provider import unixfs

        reference = reference.strip().rstrip("/")
        if self.store.is_directory(reference):
            entries = [
                {
                    "name": entry.name,
                    "cid": str(entry.cid),
                    "size": entry.tsize,
                    "directory": unixfs.is_directory(entry.cid, self.store.get_block),
                }
                for entry in self.store.list(reference)
            ]
            return {"reference": reference, "kind": "directory", "entries": entries}
        data = self.store.get(reference)
        if len(data) > maxBytes:
            raise TinyHopsError(f"{reference} is {len(data):,} bytes, more than maxBytes ({maxBytes:,})")
        from tinyhops.provider.store import as_text

        text = as_text(data)
        result: dict[str, Any] = {"reference": reference, "kind": "file", "size": len(data)}
        if text is not None:
            return result | {"mediaType": "text/plain", "text": text}
        return result | {"mediaType": media_type_of(data), "base64": base64.b64encode(data).decode("ascii")}

    # ---- on the chain

    def _connected(self) -> Any:
        if self.client is None:
            raise TinyHopsError("this server is not connected to a chain")
        return self.client

    def estimate_cost(self, workflow: Any, parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
        parsed = workflow_of(workflow, parameters=parameters)
        label = parsed.labels()
        client = self._connected()
        estimate = client.estimate(parsed)
        refusals: list[str] = []
        try:
            client.check(parsed, None, known_modules_only=True)
        except SubmitError as error:
            refusals.append(str(error))
        required = estimate.required_wei
        if required > self.remaining_wei:
            refusals.append(self._over_budget(required))
        return {
            "requiredDepositWei": str(required),
            "steps": [
                {
                    "stepId": _as_written(label[s.step_id]),
                    "onChainStepId": s.step_id,
                    "cmd": s.module,
                    "costWei": str(s.cost_wei),
                    "attempts": s.attempts,
                    "lilypadPriceWei": str(s.lilypad_cost_wei),
                }
                for s in estimate.steps
            ],
            "budgetWei": str(self.budget_wei),
            "budgetRemainingWei": str(self.remaining_wei),
            "withinBudget": required <= self.remaining_wei,
            "refusals": refusals,
        }

    def _over_budget(self, deposit_wei: int) -> str:
        return (
            f"a deposit of {format_wei(deposit_wei)} exceeds the operator's budget: {format_wei(self.remaining_wei)} "
            f"of {format_wei(self.budget_wei)} is left (the server was started with --max-deposit)"
        )

    def submit_workflow(
        self, workflow: Any, deposit: str | None = None, parameters: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        parsed = with_cache_defaults(workflow_of(workflow, self.catalog, parameters), self.catalog)
        client = self._connected()
        deposit_wei = None if deposit is None else int(Decimal(deposit) * 10**18)
        if deposit_wei is not None and deposit_wei <= 0:
            raise SubmitError("the deposit must be more than 0 ether")
        estimate, wei = client.check(parsed, deposit_wei, known_modules_only=True)
        if wei > self.remaining_wei:
            raise SubmitError(self._over_budget(wei))
        if (balance := int(self.account.balance)) < wei:
            raise SubmitError(f"the operator's account holds {format_wei(balance)}, less than {format_wei(wei)}")
        self.deposited_wei += wei  # counted before sending: a failed send must not free budget it may have spent
        workflow_id = client.submit(parsed, self.account, wei)
        return {"workflowId": workflow_id, "depositWei": str(wei), "budgetRemainingWei": str(self.remaining_wei)}

    def get_workflow(self, workflowId: int) -> dict[str, Any]:  # noqa: N803
        client = self._connected()
        view = client.view(workflowId)
        labels = client.labels(view)
        return {
            "workflowId": view.workflow_id,
            "status": view.status.name.lower(),
            "ended": bool(view.status.final),
            "completed": view.completed,
            "stepCount": view.step_count,
            "spentWei": str(view.spent_wei),
            "steps": [
                {
                    "stepId": _as_written(labels.label(step.step_id)),
                    "onChainStepId": step.step_id,
                    "status": step.status.name.lower(),
                    "cmd": step.module,
                    "jobId": step.job_id,
                    "resultCid": step.result_cid or None,
                    "failures": [failure.describe() for failure in step.failures],
                }
                for step in view.steps
            ],
        }


def _as_written(label: str) -> int | str:
    """A step's label as a document writes its id: a number as a number, a name as text."""
    return int(label) if label.isdigit() else label


def error_text(error: TinyHopsError) -> str:
    """The one line (or, for an invalid workflow, the lines) an agent reads for a refused call."""
    if isinstance(error, WorkflowInvalid):
        return "\n".join(error.lines())
    return error.one_line()
