"""`ape run bench_e2e [--backend v1|v2] [--json] [--poll S]`: the sample and a 100-step fan-out, end to end via
the provider."""

import click
from ape import accounts, chain, project

from tinyhops.bench.e2e import as_json, default_workflows, run, table
from tinyhops.cli.reporting import reports_errors
from tinyhops.provider.service import quiet_ape_logs
from tinyhops.testing.ephemeral_chain import ephemeral_chain


@click.command()
@click.option("--json", "json_output", is_flag=True, help="Print one JSON array instead of a table.")
@click.option("--poll", default=0.1, show_default=True, type=float, help="The provider's idle poll interval.")
@click.option(
    "--backend",
    type=click.Choice(["v1", "v2"]),
    default="v1",
    show_default=True,
    help="The deployment served: v1 (LocalLilypad, ether) or v2 (LocalLilypadV2 and its token, the provider its "
    "controller).",
)
@reports_errors
def cli(json_output: bool, poll: float, backend: str) -> None:
    """Start a fresh anvil, deploy fresh contracts, start `ape run provider` against them, and time each
    workflow from its submit transaction to Completed; prints jobs per second."""
    quiet_ape_logs()
    with ephemeral_chain():
        timings = run(project, chain, list(accounts.test_accounts), default_workflows(), poll, backend)
    click.echo(as_json(timings) if json_output else table(timings))
