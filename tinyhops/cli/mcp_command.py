"""`tiny-hops mcp --max-deposit ETHER`: the Model Context Protocol server on stdin/stdout (tinyhops.mcp_server),
connected to the node and signing with the operator's account as the chain commands do."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import click

from tinyhops.cli import options
from tinyhops.cli.reporting import reports_errors
from tinyhops.errors import TinyHopsError


def budget_wei(text: str) -> int:
    try:
        wei = Decimal(text) * 10**18
    except InvalidOperation:
        raise TinyHopsError(f"--max-deposit {text!r} is not an amount of ether") from None
    if wei < 0 or wei != wei.to_integral_value() or not wei.is_finite():
        raise TinyHopsError(f"--max-deposit {text!r} must be an amount of ether, 0 or more (at most 18 decimals)")
    return int(wei)


@click.command("mcp")
@click.option(
    "--max-deposit",
    required=True,
    help="The agent's budget in ether: submit_workflow refuses a deposit that would take this session's "
    "deposits above it.",
)
@options.account()
@options.rpc_signing
@reports_errors
def mcp(max_deposit: str, account: str | None, rpc: str | None) -> None:
    """Serve the Model Context Protocol on stdin/stdout for an agent: list_modules, describe_module,
    validate_workflow, estimate_cost, submit_workflow (within --max-deposit, signed by the operator's account),
    get_workflow, read_output."""
    budget = budget_wei(max_deposit)
    from ape import chain

    from tinyhops.chain.accounts import signer
    from tinyhops.chain.address_book import LOCAL_CHAIN_IDS
    from tinyhops.chain.connection import connect, tinyhops_project
    from tinyhops.chain.registry_client import RegistryClient
    from tinyhops.cli.cat import local_store
    from tinyhops.mcp_server.operations import Operator
    from tinyhops.mcp_server.server import serve

    with connect(rpc):
        client = RegistryClient.connect(tinyhops_project(), chain)
        operator = Operator(client, signer(account, chain.chain_id in LOCAL_CHAIN_IDS), budget, local_store())
        serve(operator)
