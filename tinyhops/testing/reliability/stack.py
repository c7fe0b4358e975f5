"""A deployment as the reliability suite drives it: LocalLilypad and the registry over a raw Chain, plus
the workflow submissions it makes (raw transactions: thread-safe, no Python-side checks in the way)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tinyhops.chain import address_book
from tinyhops.chain.deploy import DISPATCH_GAS, LOCAL_MODULE_COSTS
from tinyhops.chain.registry_client import WorkflowStatus
from tinyhops.encoding.submit_arguments import encode
from tinyhops.spec.model import Workflow
from tinyhops.testing.reliability.progress import wait_while_progressing
from tinyhops.testing.reliability.rawchain import Chain, Contract, deploy, ok


@dataclass
class Stack:
    chain: Chain
    registry: Contract
    lilypad: Contract
    block: int  # the deployment's first block: where histories start

    @classmethod
    def attach(cls, chain: Chain, project: Any, deployment: address_book.Deployment) -> Stack:
        return cls(
            chain,
            Contract(chain, deployment.registry, project.LilypadV1Registry.contract_type),
            Contract(chain, deployment.lilypad, project.LocalLilypad.contract_type),
            deployment.block,
        )

    def submit(self, key: str, workflow: Workflow, deposit: int | None = None) -> tuple[int, dict[str, Any]]:
        """Submit `workflow` from `key` with `deposit` (default: what every attempt costs); its id and receipt."""
        value = workflow.required_deposit_wei if deposit is None else deposit
        receipt = self.registry.send(key, "submit", [tuple(d) for d in encode(workflow)], value=value)
        if not ok(receipt):
            raise RuntimeError(f"submit reverted: {receipt}")
        (event,) = self.registry.receipt_events(receipt, "WorkflowSubmitted")
        return int(event.workflowId), receipt

    def status(self, workflow_id: int) -> WorkflowStatus:
        return WorkflowStatus(self.registry.call("getWorkflow", workflow_id).status)

    def wait_final(self, ids: list[int], alive: Any = None) -> dict[int, WorkflowStatus]:
        """Wait until every workflow in `ids` has ended, for as long as the chain makes progress (new blocks);
        `alive()` returning False stops the wait early. Returns the statuses (some may still be live when the
        run stalled)."""
        statuses = {i: self.status(i) for i in ids}

        def done() -> bool:
            statuses.update({i: self.status(i) for i, s in statuses.items() if not s.final})
            return all(s.final for s in statuses.values())

        wait_while_progressing(done, self.chain.block_number, alive=alive)
        return statuses


def deploy_stack(chain: Chain, key: str, provider: str) -> address_book.Deployment:
    """Fresh LocalLilypad (LOCAL_MODULE_COSTS, `provider` registered) and registry, by raw
    transactions from `key`, as tinyhops.chain.deploy does it through Ape."""
    from tinyhops.chain.connection import tinyhops_project

    project = tinyhops_project()
    block = chain.block_number() + 1
    lilypad_type = project.LocalLilypad.contract_type
    lilypad = Contract(chain, deploy(chain, key, lilypad_type), lilypad_type)
    for module, cost in LOCAL_MODULE_COSTS.items():
        lilypad.send(key, "setModuleCost", module, cost)
    lilypad.send(key, "setProvider", provider, True)
    registry = deploy(chain, key, project.LilypadV1Registry.contract_type, lilypad.address, DISPATCH_GAS)
    return address_book.Deployment(chain.chain_id, registry, lilypad.address, True, provider, block)
