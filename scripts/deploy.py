"""`ape run deploy [--network N] [--lilypad ADDRESS] [--account A]`: deploy and record the contracts."""

import click
from ape import chain, project
from ape.cli import ConnectedProviderCommand

from tinyhops.chain.accounts import PROVIDER_TEST_ACCOUNT, signer
from tinyhops.chain.address_book import LOCAL_CHAIN_IDS
from tinyhops.chain.deploy import deploy
from tinyhops.cli.reporting import reports_errors


@click.command(cls=ConnectedProviderCommand)
@click.option("--lilypad", help="Address of the Lilypad v1 contract (required off local chains).")
@click.option("--account", help="Ape account alias or TEST::N (default: THOPS_PRIVATE_KEY, or test account 0).")
@click.option(
    "--provider-account",
    default=f"TEST::{PROVIDER_TEST_ACCOUNT}",
    show_default=True,
    help="Local chains only: the resource provider registered with the local Lilypad.",
)
@reports_errors
def cli(lilypad: str | None, account: str | None, provider_account: str) -> None:
    """Deploy the registry, Lilypad v1's client (and, on a local chain, the local Lilypad)."""
    local = chain.chain_id in LOCAL_CHAIN_IDS
    deployer = signer(account, local)
    provider = signer(provider_account, local).address if local and lilypad is None else None
    deployment = deploy(project, deployer, chain.chain_id, local, lilypad, provider)
    click.echo(f"registry  {deployment.registry}")
    click.echo(f"lilypad   {deployment.lilypad}" + (" (local stand-in)" if deployment.local_lilypad else ""))
    if deployment.provider:
        click.echo(f"provider  {deployment.provider} (run `ape run provider`)")
