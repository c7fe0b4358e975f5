"""Tiny Hops: describe a Lilypad workflow once, run it as a DAG on chain.

The SDK another program imports:

    import tinyhops
    workflow = tinyhops.load("sample.thops.json")        # raises tinyhops.WorkflowInvalid, every problem
    client = tinyhops.RegistryClient(registry_contract)  # reads and writes one deployed registry

Sub-packages, one concept each: `spec` (the file format and the normalized DAG), `encoding` (how a workflow
travels to the chain), `chain` (connecting, deploying, the registry client, the keeper), `provider` (the
local resource provider), `render` (text views), `cli` (the `tiny-hops` and `ape run` commands), `bench`
(benchmarks) and `testing` (rigs for tests and benchmarks, never imported by the product).

Names here are imported on first use, so that `import tinyhops` (and `tiny-hops --help`) stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "load": "tinyhops.spec.document",
    "from_document": "tinyhops.spec.document",
    "Workflow": "tinyhops.spec.model",
    "Step": "tinyhops.spec.model",
    "step_id_of_name": "tinyhops.spec.step_ids",
    "encode": "tinyhops.encoding.submit_arguments",
    "calldata_arguments": "tinyhops.encoding.submit_arguments",
    "RegistryClient": "tinyhops.chain.registry_client",
    "WorkflowStatus": "tinyhops.chain.registry_client",
    "StepStatus": "tinyhops.chain.registry_client",
    "TinyHopsError": "tinyhops.errors",
    "WorkflowInvalid": "tinyhops.errors",
    "Problem": "tinyhops.errors",
}

__all__ = [
    "Problem",
    "RegistryClient",
    "Step",
    "StepStatus",
    "TinyHopsError",
    "Workflow",
    "WorkflowInvalid",
    "WorkflowStatus",
    "calldata_arguments",
    "encode",
    "from_document",
    "load",
    "step_id_of_name",
]

if TYPE_CHECKING:
    from tinyhops.chain.registry_client import RegistryClient, StepStatus, WorkflowStatus
    from tinyhops.encoding.submit_arguments import calldata_arguments, encode
    from tinyhops.errors import Problem, TinyHopsError, WorkflowInvalid
    from tinyhops.spec.document import from_document, load
    from tinyhops.spec.model import Step, Workflow
    from tinyhops.spec.step_ids import step_id_of_name


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'tinyhops' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
