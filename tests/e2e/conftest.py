"""End-to-end fixtures: fresh contracts per test, and the real provider (`ape run provider`) as a child
process attached to the test chain. Every test deploys its own stack and keeps its state in its own tmp
folder, so Ape's snapshot/revert around each test cannot leave a provider looking at vanished contracts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tinyhops.chain.accounts import PROVIDER_TEST_ACCOUNT
from tinyhops.chain.address_book import Deployment
from tinyhops.chain.registry_client import RegistryClient, WorkflowStatus, WorkflowView
from tinyhops.provider.store import ContentStore
from tinyhops.testing.provider_process import ProviderProcess, deploy_for_provider, start_provider
from tinyhops.testing.reliability.progress import wait_while_progressing

POLL = "0.2"


@dataclass
class E2E:
    chain: Any
    deployment: Deployment
    client: RegistryClient
    user: Any
    home: Path
    deployments_file: Path
    children: list[ProviderProcess] = field(default_factory=list)

    @property
    def store(self) -> ContentStore:
        return ContentStore(self.home / "store")

    def start(self, *args: str) -> ProviderProcess:
        uri = self.chain.provider.uri
        child = start_provider(uri, self.home, self.deployments_file, "--poll", POLL, *args)
        self.children.append(child)
        return child

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
    home, deployments_file = tmp_path / "home", tmp_path / "deployments.json"
    monkeypatch.setenv("TINYHOPS_HOME", str(home))
    monkeypatch.setenv("TINYHOPS_DEPLOYMENTS", str(deployments_file))
    provider = accounts[PROVIDER_TEST_ACCOUNT].address
    deployment = deploy_for_provider(project, chain, accounts[0], provider, deployments_file)
    harness = E2E(chain, deployment, RegistryClient(project, deployment), accounts[1], home, deployments_file)
    yield harness
    for child in harness.children:
        child.kill()
