"""End-to-end fixtures: fresh contracts per test and the real provider (`ape run provider`) as a child process
attached to the test chain (tests/support/provider_stacks.py), seen through Ape: the registry client, the
user's account, the contracts' events.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from provider_stacks import fresh_provider_stack

from tinyhops.chain.address_book import Deployment
from tinyhops.chain.registry_client import RegistryClient, WorkflowStatus, WorkflowView
from tinyhops.testing.provider_process import ProviderProcess
from tinyhops.testing.provider_stack import ProviderStack
from tinyhops.testing.reliability.progress import wait_while_progressing


@dataclass(kw_only=True)
class E2E(ProviderStack):
    chain: Any
    client: RegistryClient
    user: Any

    @classmethod
    def extras(cls, project: Any, chain: Any, accounts: Any, deployment: Deployment) -> dict[str, Any]:
        return {"chain": chain, "client": RegistryClient(project, deployment), "user": accounts[1]}

    def wait_final(self, workflow_id: int, child: ProviderProcess) -> WorkflowView:
        """Wait for the workflow to end while the run makes progress (blocks, provider log lines)."""

        def done() -> bool:
            return WorkflowStatus(self.client.registry.getWorkflow(workflow_id).status).final

        def progress() -> tuple[int, int]:
            return (self.chain.blocks.height, len(child.lines))

        if wait_while_progressing(done, progress, poll_seconds=0.1, alive=lambda: child.process.poll() is None):
            return self.client.view(workflow_id)
        pytest.fail(f"workflow {workflow_id} did not end; provider output:\n{child.output_tail()}")

    def events(self, contract: Any, name: str) -> list[Any]:
        return list(getattr(contract, name).range(self.deployment.block, self.chain.blocks.height + 1))


@pytest.fixture
def e2e(project: Any, chain: Any, accounts: Any, tmp_path: Path, monkeypatch: Any) -> Iterator[E2E]:
    with fresh_provider_stack(E2E, project, chain, accounts, tmp_path, monkeypatch) as stack:
        yield stack


@pytest.fixture
def e2e_v2(project: Any, chain: Any, accounts: Any, tmp_path: Path, monkeypatch: Any) -> Iterator[E2E]:
    """As `e2e`, on Lilypad v2's local job creator: the user (and test accounts 0 and 2) hold its token."""
    with fresh_provider_stack(E2E, project, chain, accounts, tmp_path, monkeypatch, backend="v2") as stack:
        yield stack
