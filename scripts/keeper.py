"""`ape run keeper [--network N] [--account A]`: advance queued dispatches and expire overdue attempts.

On the local chain the provider already does this; on a real Lilypad, run it beside your workflows.
"""

import click
from ape import chain, project

from tinyhops.chain.keeper import serve
from tinyhops.cli.ape_command import NodeCommand
from tinyhops.cli.reporting import reports_errors


@click.command(cls=NodeCommand)
@click.option("--account", help="Ape account alias or TEST::N (default: THOPS_PRIVATE_KEY, or test account 0).")
@click.option("--poll", default=5.0, show_default=True, type=float, help="Seconds between rounds.")
@click.option("--once", is_flag=True, help="Stop after the first round that had nothing to do.")
@reports_errors
def cli(account: str | None, poll: float, once: bool) -> None:
    """Keep every live workflow of this chain's registry moving: `advance` and `expire`, permissionless."""
    serve(project, chain, account, poll, once, click.echo)
