"""Fixtures of the reliability suite: a fresh deployment per test on the session's anvil with the real provider
process (`ape run provider`) as a child with its own state folder (tests/support/provider_stacks.py), driven
through raw JSON-RPC (tinyhops.testing.reliability.rawchain: fast, thread-safe, no Python-side checks).

Profiles: the default keeps the whole suite within a few minutes; TINYHOPS_SOAK=1 runs more of everything.
TINYHOPS_SEED (default 20261127) seeds every random choice, so a failure replays with the same seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from provider_stacks import fresh_provider_stack

from tinyhops.chain.accounts import PROVIDER_TEST_ACCOUNT
from tinyhops.chain.address_book import Deployment
from tinyhops.testing.provider_stack import ProviderStack
from tinyhops.testing.reliability.rawchain import Chain
from tinyhops.testing.reliability.stack import Stack


@dataclass(kw_only=True)
class Harness(ProviderStack):
    chain: Chain
    stack: Stack
    keys: list[str]  # private keys of Ape's test accounts, by index

    @classmethod
    def extras(cls, project: Any, chain: Any, accounts: Any, deployment: Deployment) -> dict[str, Any]:
        raw = Chain(chain.provider.uri)
        keys = [accounts[i].private_key for i in range(10)]
        return {"chain": raw, "stack": Stack.attach(raw, project, deployment), "keys": keys}

    @property
    def provider_key(self) -> str:
        return self.keys[PROVIDER_TEST_ACCOUNT]


@pytest.fixture
def harness(project: Any, chain: Any, accounts: Any, tmp_path: Path, monkeypatch: Any) -> Iterator[Harness]:
    with fresh_provider_stack(Harness, project, chain, accounts, tmp_path, monkeypatch) as stack:
        yield stack
