"""The chain commands as `ape run` scripts: Ape connects (--network), tinyhops.commands does the work."""

from __future__ import annotations

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand

from tinyhops import commands
from tinyhops.cli_support import reports_errors

ACCOUNT_HELP = "Ape account alias or TEST::N (default: THOPS_PRIVATE_KEY, else test account 0 on local chains)."


def submit_command() -> click.Command:
    @click.command(cls=ConnectedProviderCommand)
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option("--deposit", help="Deposit in ether (default: exactly what every attempt costs).")
    @click.option("--account", help=ACCOUNT_HELP)
    @reports_errors
    def submit(file: Path, deposit: str | None, account: str | None) -> None:
        """Validate FILE, check its costs against Lilypad, submit it with its deposit; print the workflow id."""
        commands.submit(file, deposit, account)

    return submit


def monitor_command() -> click.Command:
    @click.command(cls=ConnectedProviderCommand)
    @click.argument("workflow_id", type=int)
    @click.argument("file", required=False, type=click.Path(path_type=Path))
    @click.option("--json", "as_json", is_flag=True, help="Print one machine-readable snapshot and exit.")
    @reports_errors
    def monitor(workflow_id: int, file: Path | None, as_json: bool) -> None:
        """Live table of WORKFLOW_ID's steps until it ends (FILE, if given, supplies step names)."""
        commands.watch(workflow_id, file, as_json)

    return monitor


def control_command(action: str) -> click.Command:
    @click.command(name=action, cls=ConnectedProviderCommand, help=f"{action.title()} a workflow (owner only).")
    @click.argument("workflow_id", type=int)
    @click.option("--account", help=ACCOUNT_HELP)
    @reports_errors
    def control(workflow_id: int, account: str | None) -> None:
        commands.control(action, workflow_id, account)

    return control


def withdraw_command() -> click.Command:
    @click.command(cls=ConnectedProviderCommand)
    @click.option("--account", help=ACCOUNT_HELP)
    @reports_errors
    def withdraw(account: str | None) -> None:
        """Pay out the account's refundable balance (unspent deposits of ended workflows)."""
        commands.withdraw(account)

    return withdraw


def graph_command() -> click.Command:
    @click.command(cls=ConnectedProviderCommand)
    @click.argument("target")
    @click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True)
    @click.option("--out", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
    @reports_errors
    def graph(target: str, fmt: str, out: Path | None) -> None:
        """Draw TARGET (a workflow file, or a workflow id with its statuses) as Mermaid or DOT."""
        commands.draw(target, out, fmt)

    return graph
