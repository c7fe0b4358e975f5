"""A deployment as the reliability suite drives it, on either Lilypad backend, over a raw Chain: the registry and
its Lilypad (v1: LocalLilypad, ether escrow; v2: LocalLilypadV2 and its LocalLilypadToken, token escrow, the
provider account its controller), plus the workflow submissions it makes (raw transactions: thread-safe, no
Python-side checks in the way)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tinyhops.chain import address_book
from tinyhops.chain.deploy import DISPATCH_GAS, LOCAL_MODULE_COSTS, LOCAL_V2_DEPOSIT
from tinyhops.chain.registry_client import WorkflowStatus
from tinyhops.encoding.backends import for_backend
from tinyhops.encoding.submit_arguments import encode
from tinyhops.spec.model import Workflow
from tinyhops.testing.reliability.progress import wait_while_progressing
from tinyhops.testing.reliability.rawchain import Chain, Contract, deploy, ok


@dataclass
class Stack:
    chain: Chain
    registry: Contract
    lilypad: Contract  # v1: LocalLilypad; v2: LocalLilypadV2, the job creator
    block: int  # the deployment's first block: where histories start
    backend: str = "v1"
    token: Contract | None = None  # v2: the escrow's token (the job creator's)

    @classmethod
    def attach(cls, chain: Chain, project: Any, deployment: address_book.Deployment) -> Stack:
        if deployment.backend == "v2":
            lilypad = Contract(chain, deployment.lilypad, project.LocalLilypadV2.contract_type)
            token = Contract(chain, lilypad.call("getTokenAddress"), project.LocalLilypadToken.contract_type)
            registry = Contract(chain, deployment.registry, project.LilypadV2Registry.contract_type)
            return cls(chain, registry, lilypad, deployment.block, "v2", token)
        return cls(
            chain,
            Contract(chain, deployment.registry, project.LilypadV1Registry.contract_type),
            Contract(chain, deployment.lilypad, project.LocalLilypad.contract_type),
            deployment.block,
        )

    @property
    def controller(self) -> str:
        """v2: the job creator's controller, the account that takes deposits and submits results."""
        return str(self.lilypad.call("getControllerAddress"))

    def laid_out(self, workflow: Workflow) -> Workflow:
        """`workflow` as this backend's registry is sent it (on v2: v2 module names, inputs, timeouts)."""
        return for_backend(workflow, self.backend)

    def balance(self, address: str) -> int:
        """What `address` holds in the escrow's unit: wei on v1, token units on v2."""
        if self.token is None:
            return self.chain.balance(address)
        return int(self.token.call("balanceOf", address))

    def mint(self, minter_key: str, addresses: list[str], amount: int) -> None:
        """v2: give each of `addresses` `amount` token units (`minter_key`: the token's deployer)."""
        assert self.token is not None, "only the v2 escrow has a token"
        for address in addresses:
            assert ok(self.token.send(minter_key, "mint", address, amount))

    def _pay(self, key: str, amount: int) -> list[dict[str, Any]]:
        """v2: allow the registry to pull exactly `amount` from `key`'s account; the approval's receipt."""
        if self.token is None:
            return []
        receipt = self.token.send(key, "approve", self.registry.address, amount)
        if not ok(receipt):
            raise RuntimeError(f"approve reverted: {receipt}")
        return [receipt]

    def submit(self, key: str, workflow: Workflow, deposit: int | None = None) -> tuple[int, dict[str, Any]]:
        """Submit `workflow` from `key` with `deposit` (default: what every attempt costs); its id and receipt
        (the submit's; `submit_receipts` gives the approval too, for gas)."""
        workflow_id, receipts = self.submit_receipts(key, workflow, deposit)
        return workflow_id, receipts[-1]

    def submit_receipts(
        self, key: str, workflow: Workflow, deposit: int | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        """As `submit`, with every receipt the submission took (v2: the approval, then the submit)."""
        workflow = self.laid_out(workflow)
        value = workflow.required_deposit_wei if deposit is None else deposit
        steps = [tuple(d) for d in encode(workflow)]
        receipts = self._pay(key, value)
        if self.token is None:
            receipt = self.registry.send(key, "submit", steps, value=value)
        else:
            receipt = self.registry.send(key, "submit", steps, value)
        if not ok(receipt):
            raise RuntimeError(f"submit reverted: {receipt}")
        (event,) = self.registry.receipt_events(receipt, "WorkflowSubmitted")
        return int(event.workflowId), [*receipts, receipt]

    def fund(self, key: str, workflow_id: int, amount: int) -> dict[str, Any]:
        """Top up `workflow_id`'s escrow by `amount` from `key`; the fund call's receipt."""
        self._pay(key, amount)
        if self.token is None:
            return self.registry.send(key, "fund", workflow_id, value=amount)
        return self.registry.send(key, "fund", workflow_id, amount)

    def redrive(self, key: str, workflow_id: int, amount: int | None = None) -> dict[str, Any]:
        """Start the next run of failed or cancelled `workflow_id` from `key` (its owner) with `amount`
        (default: every attempt of its steps without a result); the redrive's receipt."""
        if amount is None:
            amount = sum(
                int(s.cost) * (1 + int(s.retries))
                for s in self.registry.call("getSteps", workflow_id)
                if int(s.status) != 3  # StepStatus.Completed
            )
        self._pay(key, amount)
        if self.token is None:
            receipt = self.registry.send(key, "redrive", workflow_id, value=amount)
        else:
            receipt = self.registry.send(key, "redrive", workflow_id, amount)
        if not ok(receipt):
            raise RuntimeError(f"redrive reverted: {receipt}")
        return receipt

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


def deploy_stack(chain: Chain, key: str, provider: str, backend: str = "v1") -> address_book.Deployment:
    """A fresh local Lilypad and registry by raw transactions from `key`, as tinyhops.chain.deploy does it
    through Ape. v1: LocalLilypad (LOCAL_MODULE_COSTS, `provider` registered); v2: LocalLilypadToken and
    LocalLilypadV2 (`provider` its controller, LOCAL_V2_DEPOSIT a job; `key` may mint)."""
    from tinyhops.chain.connection import tinyhops_project

    project = tinyhops_project()
    block = chain.block_number() + 1
    if backend == "v2":
        token = deploy(chain, key, project.LocalLilypadToken.contract_type)
        lilypad_type = project.LocalLilypadV2.contract_type
        lilypad_address = deploy(chain, key, lilypad_type, token, provider, LOCAL_V2_DEPOSIT)
        registry = deploy(chain, key, project.LilypadV2Registry.contract_type, lilypad_address, DISPATCH_GAS)
    else:
        lilypad_type = project.LocalLilypad.contract_type
        lilypad = Contract(chain, deploy(chain, key, lilypad_type), lilypad_type)
        for module, cost in LOCAL_MODULE_COSTS.items():
            lilypad.send(key, "setModuleCost", module, cost)
        lilypad.send(key, "setProvider", provider, True)
        lilypad_address = lilypad.address
        registry = deploy(chain, key, project.LilypadV1Registry.contract_type, lilypad.address, DISPATCH_GAS)
    return address_book.Deployment(chain.chain_id, registry, lilypad_address, True, provider, block, backend)
