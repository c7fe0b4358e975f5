"""The click command class of every `ape run` script that needs a node: Ape's ConnectedProviderCommand
(--network, connects before the command runs), except that a node that does not answer is one line on
stderr and exit code 1 (tinyhops.cli.reporting), never Ape's traceback, and that a command which needs no
node for its arguments (`ape run graph FILE`) does not connect at all. Imports Ape: `ape run` only."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from typing import Any

import click
from ape.cli import ConnectedProviderCommand
from ape.cli.commands import parse_network

from tinyhops.chain.connection import unreachable
from tinyhops.cli.reporting import report

_URL = re.compile(r"(?:https?|wss?)://[^\s'\"]+")


def _node_named(exc: BaseException, network_context: Any) -> str:
    """The node Ape tried: the URL in its error, else its provider's URI, else the network's name."""
    if found := _URL.search(str(exc)):
        return found.group(0)
    provider = getattr(network_context, "_provider", None)
    try:
        return str(provider.uri)  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - some providers only know their URI once connected
        return str(getattr(provider, "name", "the configured node"))


class NodeCommand(ConnectedProviderCommand):
    """ConnectedProviderCommand whose failure to connect is reported in one line; `offline(params)` true
    means the command runs without a node."""

    def __init__(self, *args: Any, offline: Callable[[Mapping[str, Any]], bool] | None = None, **kwargs: Any):
        self._offline = offline
        super().__init__(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        if self._offline is not None and self._offline(ctx.params):
            ctx.params.pop("provider_settings", None)
            return self._invoke(ctx)
        with ExitStack() as stack:
            network_context = None
            try:
                network_context = parse_network(ctx)
                provider = stack.enter_context(network_context) if network_context is not None else None
            except Exception as exc:  # noqa: BLE001 - Ape raises many kinds for a node that does not answer
                report(unreachable(_node_named(exc, network_context), exc))
            return self._invoke(ctx, provider=provider)
