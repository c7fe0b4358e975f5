"""Fixtures of the reliability suite: a fresh deployment per test on the session's anvil, driven through raw
JSON-RPC (tinyhops.testing.reliability.rawchain: fast, thread-safe, no Python-side checks), and the real provider
process (`ape run provider`) as a child with its own state folder.

Profiles: the default keeps the whole suite within a few minutes; TINYHOPS_SOAK=1 runs more of everything.
TINYHOPS_SEED (default 20261127) seeds every random choice, so a failure replays with the same seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tinyhops.chain.accounts import PROVIDER_TEST_ACCOUNT
from tinyhops.chain.address_book import Deployment
from tinyhops.provider.store import ContentStore
from tinyhops.testing.provider_process import ProviderProcess, deploy_for_provider, start_provider
from tinyhops.testing.reliability.rawchain import Chain
from tinyhops.testing.reliability.stack import Stack

POLL = "0.2"


@dataclass
class Harness:
    chain: Chain
    stack: Stack
    deployment: Deployment
    home: Path
    deployments_file: Path
    keys: list[str]  # private keys of Ape's test accounts, by index
    children: list[ProviderProcess] = field(default_factory=list)

    @property
    def store(self) -> ContentStore:
        return ContentStore(self.home / "store")

    @property
    def provider_key(self) -> str:
        return self.keys[PROVIDER_TEST_ACCOUNT]

    def start_provider(self, *args: str) -> ProviderProcess:
        child = start_provider(self.chain.url, self.home, self.deployments_file, "--poll", POLL, *args)
        self.children.append(child)
        return child

    def output(self) -> str:
        return "\n".join(child.output for child in self.children)


@pytest.fixture
def harness(project: Any, chain: Any, accounts: Any, tmp_path: Path, monkeypatch: Any) -> Iterator[Harness]:
    home, deployments_file = tmp_path / "home", tmp_path / "deployments.json"
    monkeypatch.setenv("TINYHOPS_HOME", str(home))
    monkeypatch.setenv("TINYHOPS_DEPLOYMENTS", str(deployments_file))
    provider = accounts[PROVIDER_TEST_ACCOUNT].address
    deployment = deploy_for_provider(project, chain, accounts[0], provider, deployments_file)
    raw = Chain(chain.provider.uri)
    keys = [accounts[i].private_key for i in range(10)]
    harness = Harness(raw, Stack.attach(raw, project, deployment), deployment, home, deployments_file, keys)
    yield harness
    for child in harness.children:
        child.kill()
