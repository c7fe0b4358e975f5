"""Arguments and options shared by several commands, each declared once (a click decorator apiece)."""

from __future__ import annotations

from pathlib import Path

import click

from tinyhops.cli.exit_codes import ENDED_HELP

ACCOUNT_HELP = "Ape account alias or TEST::N (default: THOPS_PRIVATE_KEY, else test account 0 on local chains)."
RPC_HELP = "Node to use (default: $THOPS_RPC_URL, else http://127.0.0.1:8545)."


def account(help: str = ACCOUNT_HELP, **kwargs: object) -> click.decorators.FC:  # noqa: A002 - click's name
    """--account: who signs."""
    return click.option("--account", help=help, **kwargs)  # type: ignore[return-value]


rpc = click.option("--rpc", help=RPC_HELP)  # commands that only read
rpc_signing = click.option("--rpc", help=f"{RPC_HELP} THOPS_PRIVATE_KEY signs.")  # commands that send
workflow_id = click.argument("workflow_id", type=int)
workflow_file = click.argument("file", type=click.Path(path_type=Path))
optional_names_file = click.argument("file", required=False, type=click.Path(path_type=Path))
deposit = click.option("--deposit", help="Deposit in ether (default: exactly what every attempt costs).")
backend = click.option(
    "--backend",
    type=click.Choice(["v1", "v2"]),
    default="v1",
    show_default=True,
    help="Lay the workflow out as this Lilypad is sent it: v1 (Modicum) or v2 (the on-chain job creator).",
)
as_json = click.option("--json", "as_json", is_flag=True, help="Print one machine-readable snapshot and exit.")
graph_target = click.argument("target")
names_for_target = click.argument("names_file", required=False, type=click.Path(path_type=Path))
graph_format = click.option(
    "--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True
)
out_file = click.option("--out", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
poll = click.option("--poll", default=5.0, show_default=True, type=float, help="Seconds between rounds.")
parameters = click.option(
    "--param",
    "parameters",
    multiple=True,
    metavar="NAME=VALUE",
    help="Give the workflow's parameter NAME this value (once per parameter; declared in the file's \"parameters\"; "
    "one without a default must be given).",
)

no_cache = click.option(
    "--no-cache",
    is_flag=True,
    help="Make no step cacheable: none is served from the registry's result cache, none fills it.",
)
runner = click.option(
    "--runner",
    is_flag=True,
    help="Runner mode: Lilypad's callback only records results; `tiny-hops runner` dispatches (and is paid).",
)
gas_deposit = click.option(
    "--gas-deposit", help='Ether set aside to pay keepers, apart from --deposit ("0.01", "5 gwei"; default: none).'
)
max_gas_price = click.option("--max-gas-price", help="Highest gas price keepers are paid at (default 100 gwei).")
premium = click.option("--premium", help="Added to each paid keeper call (default: 0).")
max_paid_per_call = click.option("--max-paid-per-call", help="Most one keeper call is paid (default: 0.05 ether).")
workflow_ids = click.argument("workflow_ids", nargs=-1, type=int)
once = click.option("--once", is_flag=True, help="Stop after the first round that had nothing to do.")
wait = click.option("--wait", is_flag=True, help=f"Follow the workflow to its end; {ENDED_HELP}.")
