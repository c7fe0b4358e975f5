"""The `tiny-hops` command line. `scripts/*.py` expose the same commands through `ape run`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from tinyhops import commands, report, spec
from tinyhops.cat import cat
from tinyhops.cli_support import reports_errors
from tinyhops.connection import connect
from tinyhops.encoding import calldata_arguments
from tinyhops.errors import TinyHopsError, WorkflowInvalid
from tinyhops.sample import write_sample


@click.command("generate-template")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default="sample.thops.json")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@reports_errors
def generate_template(path: Path, force: bool) -> None:
    """Write a sample workflow to PATH (default sample.thops.json)."""
    if path.exists() and not force:
        raise TinyHopsError(f"{path} already exists (use --force to overwrite)")
    write_sample(path)
    workflow = spec.load(path)
    click.echo(f"wrote {path}: {len(workflow.steps)} steps, validated against the schema")


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Validate workflow FILES: a summary for each valid file, every problem of each invalid one."""
    failed = False
    for file in files:
        try:
            workflow = spec.load(file)
        except WorkflowInvalid as exc:
            failed = True
            if len(exc.problems) == 1:
                click.echo(f"{file}: invalid: {exc.problems[0]}")
                continue
            click.echo(f"{file}: invalid, {len(exc.problems)} problems:")
            for problem in exc.problems:
                click.echo(f"  {problem}")
            continue
        click.echo(report.summary(str(file), workflow))
    sys.exit(1 if failed else 0)


@click.command("inspect")
@click.argument("file", type=click.Path(path_type=Path))
@reports_errors
def inspect(file: Path) -> None:
    """Show FILE's normalized DAG (topological order, needs as step ids) and its encoded size."""
    workflow = spec.load(file)
    console = Console()
    console.print(report.dag_table(workflow))
    click.echo(report.summary(str(file), workflow))
    click.echo(f"submit calldata: {4 + len(calldata_arguments(workflow)):,} bytes including the selector")


RPC_HELP = "Node to use (default: $THOPS_RPC_URL, else http://127.0.0.1:8545). THOPS_PRIVATE_KEY signs."
ACCOUNT_HELP = "Ape account alias or TEST::N (default: THOPS_PRIVATE_KEY, else test account 0 on local chains)."


@click.command("run")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--deposit", help="Deposit in ether (default: exactly what every attempt costs).")
@click.option("--account", help=ACCOUNT_HELP)
@click.option("--rpc", help=RPC_HELP)
@reports_errors
def run(file: Path, deposit: str | None, account: str | None, rpc: str | None) -> None:
    """Validate FILE, check its costs, submit it with its deposit and print its workflow id."""
    with connect(rpc):
        commands.submit(file, deposit, account)


@click.command("monitor")
@click.argument("workflow_id", type=int)
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one machine-readable snapshot and exit.")
@click.option("--rpc", help=RPC_HELP)
@reports_errors
def monitor(workflow_id: int, file: Path | None, as_json: bool, rpc: str | None) -> None:
    """Live table of WORKFLOW_ID's steps until it ends (FILE, if given, supplies step names)."""
    with connect(rpc):
        commands.watch(workflow_id, file, as_json)


def _control(action: str) -> click.Command:
    @click.command(action, help=f"{action.title()} workflow WORKFLOW_ID (owner only).")
    @click.argument("workflow_id", type=int)
    @click.option("--account", help=ACCOUNT_HELP)
    @click.option("--rpc", help=RPC_HELP)
    @reports_errors
    def control(workflow_id: int, account: str | None, rpc: str | None) -> None:
        with connect(rpc):
            commands.control(action, workflow_id, account)

    return control


@click.command("withdraw")
@click.option("--account", help=ACCOUNT_HELP)
@click.option("--rpc", help=RPC_HELP)
@reports_errors
def withdraw(account: str | None, rpc: str | None) -> None:
    """Pay out the account's refundable balance (unspent deposits of ended workflows)."""
    with connect(rpc):
        commands.withdraw(account)


@click.command("graph")
@click.argument("target")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
@click.option("--rpc", help=RPC_HELP)
@reports_errors
def graph(target: str, fmt: str, out: Path | None, rpc: str | None) -> None:
    """Draw TARGET (a workflow file, or a workflow id with its statuses) as Mermaid or DOT."""
    if Path(target).exists():
        commands.draw(target, out, fmt)
        return
    with connect(rpc):
        commands.draw(target, out, fmt)


@click.group()
def main() -> None:
    """Tiny Hops: describe a Lilypad workflow once, run it as a DAG."""


main.add_command(generate_template)
main.add_command(validate)
main.add_command(inspect)
main.add_command(run)
main.add_command(monitor)
for _action in ("pause", "resume", "cancel"):
    main.add_command(_control(_action))
main.add_command(withdraw)
main.add_command(graph)
main.add_command(cat)
