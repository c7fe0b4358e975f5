"""A fresh deployment with the real provider process as a child (provider_stacks.py), driven through raw
JSON-RPC (tinyhops.testing.reliability.rawchain: fast, thread-safe, no Python-side checks): the reliability
suite's `harness`, and the dashboard's tests' (tests/e2e)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tinyhops.chain.accounts import PROVIDER_TEST_ACCOUNT
from tinyhops.chain.address_book import Deployment
from tinyhops.testing.provider_stack import ProviderStack
from tinyhops.testing.reliability.rawchain import Chain
from tinyhops.testing.reliability.stack import Stack

TOKENS_PER_ACCOUNT = 10**24  # a million tokens: more than the soak profile's deposits


@dataclass(kw_only=True)
class Harness(ProviderStack):
    chain: Chain
    stack: Stack
    keys: list[str]  # private keys of Ape's test accounts, by index

    @classmethod
    def extras(cls, project: Any, chain: Any, accounts: Any, deployment: Deployment) -> dict[str, Any]:
        raw = Chain(chain.provider.uri)
        keys = [accounts[i].private_key for i in range(10)]
        stack = Stack.attach(raw, project, deployment)
        if stack.token is not None:  # v2: test accounts 1-9 can deposit the job creator's token
            stack.mint(keys[0], [accounts[i].address for i in range(1, 10)], TOKENS_PER_ACCOUNT)
        return {"chain": raw, "stack": stack, "keys": keys}

    @property
    def provider_key(self) -> str:
        return self.keys[PROVIDER_TEST_ACCOUNT]
