"""`ape run provider [--network N] [--account A] [--poll S] [--once] [--faults SEED:FAIL:HANG]`: the local
resource provider."""

import click
from ape import chain, project
from ape.cli import ConnectedProviderCommand

from tinyhops.chain.accounts import PROVIDER_TEST_ACCOUNT
from tinyhops.cli.reporting import reports_errors
from tinyhops.provider.faults import FaultPlan, FaultPlanType
from tinyhops.provider.service import quiet_ape_logs, serve


@click.command(cls=ConnectedProviderCommand)
@click.option(
    "--account",
    help=f"Ape account alias or TEST::N of the registered provider (default: TEST::{PROVIDER_TEST_ACCOUNT}).",
)
@click.option("--poll", default=1.0, show_default=True, type=click.FloatRange(min=0.01), help="Seconds between polls.")
@click.option("--once", is_flag=True, help="Handle what is pending (and what that starts), then exit.")
@click.option(
    "--faults",
    type=FaultPlanType(),
    default=None,
    help="Testing only, off by default. SEED:FAIL:HANG, such as 7:0.1:0.05: answer a FAIL share of the jobs "
    "JOB_FAILED (module not run) and leave a HANG share unanswered (their steps' timeouts let anyone expire "
    "them). Which jobs depends only on SEED and each job's (workflow, step, attempt), so restarts agree.",
)
@reports_errors
def cli(account: str | None, poll: float, once: bool, faults: FaultPlan | None) -> None:
    """Run the jobs the local Lilypad stand-in announces and post their answers; also keeps workflows
    moving (advance, expire). Stops cleanly on SIGINT/SIGTERM; restarts resume where it stopped."""
    quiet_ape_logs()
    serve(project, chain, account, poll, once, faults)
