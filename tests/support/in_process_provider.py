"""The provider service in the test process, on the session's contracts: a registry client for the session's
stack, a provider started on its Lilypad (its store and cursor in a tmp folder), and a loop that polls it until
a round does nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tinyhops.chain.address_book import Deployment
from tinyhops.chain.keeper import Keeper
from tinyhops.chain.registry_client import RegistryClient
from tinyhops.provider.backends.v1 import LocalLilypadV1
from tinyhops.provider.service import Provider
from tinyhops.provider.store import ContentStore


def session_client(project: Any, chain: Any, stack: Any) -> RegistryClient:
    """A client of the session's registry and LocalLilypad (`stack`, from tests/conftest.py)."""
    deployment = Deployment(chain.chain_id, stack.registry.address, stack.lilypad.address, True, None, 0)
    return RegistryClient(project, deployment)


def serving_provider(
    chain: Any,
    lilypad: Any,
    registry: Any,
    account: Any,
    folder: Path,
    *,
    start_block: int | None = None,
    log: Callable[[str], None] = lambda _line: None,
    keeper: bool = True,
) -> Provider:
    """A started provider answering `lilypad`'s jobs from `start_block` on (default: the next block, so only this
    test's jobs), keeping the registry moving when `keeper`; `log` gets its lines and the keeper's."""
    web3 = chain.provider.web3
    served = Provider(
        web3=web3,
        lilypad=LocalLilypadV1(lilypad),
        account=account,
        store=ContentStore(folder / "store"),
        cursor_file=folder / "cursor.json",
        start_block=chain.blocks.height + 1 if start_block is None else start_block,
        keeper=Keeper(registry, account, web3, log) if keeper else None,
        log=log,
        retry_delay=0,
    )
    served.start()
    return served


def run_until_quiet(provider: Provider) -> None:
    while provider.poll():
        pass
