"""`ape run bench_ui [--json] [--events N]`: the dashboard's and the indexer's targets on a fresh anvil."""

import click

from tinyhops.bench.ui import EVENTS, as_json, run, table
from tinyhops.cli.reporting import reports_errors
from tinyhops.provider.service import quiet_ape_logs


@click.command()
@click.option("--json", "json_output", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--events", default=EVENTS, show_default=True, type=click.IntRange(1), help="Events to index.")
@reports_errors
def cli(json_output: bool, events: int) -> None:
    """Start an anvil of its own, deploy fresh contracts, run workflows until they have logged EVENTS events, then
    time a fresh index's catch-up, the 200-step workflow page in headless Chromium and a result's way to it."""
    quiet_ape_logs()
    figures = run(events)
    click.echo(as_json(figures) if json_output else table(figures))
