"""`ape run bench [FILE...] [--json] [--no-max]`: gas per operation on fresh contracts, on a fresh anvil."""

import json
from pathlib import Path

import click
from ape import accounts, project

from tinyhops import spec
from tinyhops.bench.gas import default_workflows, run, table
from tinyhops.cli.reporting import reports_errors
from tinyhops.testing.ephemeral_chain import ephemeral_chain

ORIGINAL_EXAMPLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "original-2023-example.thops.json"


@click.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--no-max", is_flag=True, help="Skip the search for the largest submit under 2^24 gas.")
@click.option(
    "--backend",
    type=click.Choice(["v1", "v2"]),
    default="v1",
    show_default=True,
    help="The registry measured: v1 (LilypadV1Registry, ether) or v2 (LilypadV2Registry on the job creator, tokens).",
)
@reports_errors
def cli(files: tuple[str, ...], as_json: bool, no_max: bool, backend: str) -> None:
    """Deploy fresh contracts, drive each workflow (default: the 2023 prototype's example, a chain of 10, a fan-out
    1-8-1, a chain of 50) to completion and print gas per step, per delivery and per submit."""
    workflows = [(f, spec.load(f)) for f in files] if files else default_workflows(str(ORIGINAL_EXAMPLE))
    with ephemeral_chain(steps_tracing=True) as provider:
        report = run(
            project, provider, list(accounts.test_accounts), workflows, with_maxima=not no_max, backend=backend
        )
    click.echo(json.dumps(report) if as_json else table(report))
