"""Connecting `tiny-hops` to a node: --rpc URL, else $THOPS_RPC_URL, else the local chain at 8545."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tinyhops.errors import ConnectionFailed

RPC_VARIABLE = "THOPS_RPC_URL"
DEFAULT_RPC = "http://127.0.0.1:8545"
NODE_SCHEMES = ("http", "https", "ws", "wss")


def rpc_url(option: str | None) -> str:
    """The node URL to use; ConnectionFailed if what was given is not a URL a node could answer at."""
    url = option or os.environ.get(RPC_VARIABLE) or DEFAULT_RPC
    parsed = urlsplit(url)
    if parsed.scheme not in NODE_SCHEMES or not parsed.hostname:
        given = "--rpc" if option else f"${RPC_VARIABLE}"
        raise ConnectionFailed(f"{given} {url!r} is not a node URL (one such as {DEFAULT_RPC})")
    return url


def unreachable(url: str, exc: BaseException) -> ConnectionFailed:
    """The one line for a node that does not answer, naming it and what to do."""
    return ConnectionFailed(f"cannot reach a node at {url} ({type(exc).__name__}); start one with `make chain`")


@contextmanager
def connect(option: str | None) -> Iterator[Any]:
    """An Ape provider connected to the node at the chosen RPC URL (never starts a node of its own)."""
    from ape import networks
    from ape.logging import LogLevel, logger

    url = rpc_url(option)
    # Ape announces the connection ("Connecting to a 'anvil' node.") at INFO on stdout, where `monitor --json`
    # and `graph` write what users pipe into other tools: keep that line out.
    level = logger.level
    try:
        context = networks.parse_network_choice(url)
        if level == LogLevel.INFO:
            logger.set_level(LogLevel.WARNING)
        try:
            provider = context.__enter__()
        finally:
            logger.set_level(level)
    except Exception as exc:  # noqa: BLE001 - Ape raises many kinds for an unreachable node
        raise unreachable(url, exc) from None
    try:
        yield provider
    finally:
        context.__exit__(None, None, None)


def tinyhops_project() -> Any:
    """This project's contracts, whatever the current directory (the console script may run anywhere): the
    checkout's compiled project when the package runs from one, else the contract types the package ships."""
    from tinyhops.paths import checkout_root

    root = checkout_root()
    if root is None:
        from tinyhops.chain.manifest import ShippedContracts

        return ShippedContracts()
    from ape import Project, project

    if Path(project.path).resolve() == root:
        return project
    return Project(root)
