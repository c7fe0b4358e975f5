"""`tiny-hops ui`: the dashboard, over an index it keeps following, at http://127.0.0.1:PORT until Ctrl-C."""

from __future__ import annotations

import threading

import click

from tinyhops.cli import options
from tinyhops.cli.reporting import reports_errors
from tinyhops.errors import TinyHopsError

DEFAULT_PORT = 8787
FOLLOW_POLL_SECONDS = 0.1


def serve(rpc: str | None, host: str, port: int, allow_actions: bool, announce=click.echo) -> None:  # noqa: ANN001
    import uvicorn

    from tinyhops.cli.index_command import open_follower
    from tinyhops.index.follower import follow
    from tinyhops.paths import state_dir
    from tinyhops.provider.store import ContentStore
    from tinyhops.ui.actions import send_action, server_signer
    from tinyhops.ui.app import LOOPBACK, Dashboard, build_app

    if allow_actions and host not in LOOPBACK:
        raise TinyHopsError(f"--allow-actions binds 127.0.0.1 or ::1 only, not --host {host}")
    follower, path = open_follower(rpc)
    follower.sync()
    act = None
    if allow_actions:
        chain_id, registry = follower.deployment.chain_id, follower.deployment.registry
        signer = server_signer(chain_id)

        def act(action: str, workflow_id: int, deposit: int = 0) -> str:
            return send_action(follower.rpc, chain_id, registry, signer, action, workflow_id,
                               follower.registry.contract, deposit)

    stopping = threading.Event()
    thread = threading.Thread(
        target=follow, args=(follower, FOLLOW_POLL_SECONDS), kwargs={"stop": stopping.is_set}, daemon=True
    )
    thread.start()
    dashboard = Dashboard(path, ContentStore(state_dir() / "store"), act)
    mode = "actions allowed (pause, resume, cancel, redrive)" if act else "read-only"
    announce(f"dashboard at http://{host}:{port}/ ({mode}); index {path}; Ctrl-C stops it")
    try:
        # Open event streams would hold a graceful shutdown (Ctrl-C, SIGTERM) for as long as a page stays open.
        uvicorn.run(build_app(dashboard), host=host, port=port, log_level="warning", timeout_graceful_shutdown=1)
    finally:
        stopping.set()


@click.command("ui")
@options.rpc
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (localhost by default).")
@click.option("--allow-actions", is_flag=True, help="Let the page pause, resume, cancel and redrive with the server's "
              "signer (THOPS_PRIVATE_KEY; on a local chain test account 0), localhost only, behind a CSRF token.")
@reports_errors
def ui(rpc: str | None, port: int, host: str, allow_actions: bool) -> None:
    """The dashboard: workflows at /, one workflow's live DAG, attempts, outputs, events and money at
    /workflows/ID; read from the index, which it keeps following."""
    serve(rpc, host, port, allow_actions)
