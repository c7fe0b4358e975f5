"""`tiny-hops index`: follow the deployment's events into the index (tinyhops.index), until Ctrl-C."""

from __future__ import annotations

import click

from tinyhops.cli import options
from tinyhops.cli.reporting import reports_errors


def open_follower(rpc_option: str | None):  # noqa: ANN201 - tinyhops.index.follower.Follower, imported late
    """The follower of the deployment the address book records for the node's chain."""
    from tinyhops.chain import address_book
    from tinyhops.chain.connection import rpc_url
    from tinyhops.index import store
    from tinyhops.index.follower import Follower
    from tinyhops.index.rpc import Rpc

    rpc = Rpc(rpc_url(rpc_option))
    chain_id = rpc.chain_id()
    deployment = address_book.load(chain_id, code_at=rpc.code)
    path = store.index_file(chain_id)
    return Follower(rpc, store.open_index(path), deployment), path


@click.command("index")
@options.rpc
@click.option("--once", is_flag=True, help="Catch up to the node's head, then exit (default: keep following).")
@click.option("--poll", default=0.25, show_default=True, type=float, help="Seconds between looks at the node.")
@reports_errors
def index(rpc: str | None, once: bool, poll: float) -> None:
    """Follow the registry's (and its Lilypad's) events into SQLite (index/chain-ID.sqlite in the state
    directory), rebuilding every workflow, step, attempt, payment and refund; survives restarts and reorgs.
    `monitor`, `graph` and `ui` read it while it is fresh."""
    from tinyhops.index.follower import follow

    follower, path = open_follower(rpc)
    report = follower.sync()
    click.echo(f"indexed {report.events} events of {report.workflows} workflows up to block {report.head} in {path}")
    if once:
        return

    def said(report) -> None:  # noqa: ANN001 - a SyncReport
        rewound = f" (a reorg: rewound to block {report.rewound_to})" if report.rewound_to is not None else ""
        click.echo(f"block {report.head}: {report.events} events, {report.workflows} workflows{rewound}")

    try:
        follow(follower, poll, said)
    except KeyboardInterrupt:
        click.echo("stopped")
