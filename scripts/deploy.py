"""`ape run deploy [--network N] [--backend v1|v2] [--lilypad ADDRESS | --lilypad-v2 ADDRESS] [--account A]`:
deploy and record the contracts."""

import click
from ape import accounts, chain, project

from tinyhops.chain.accounts import PROVIDER_TEST_ACCOUNT, signer
from tinyhops.chain.address_book import LOCAL_CHAIN_IDS
from tinyhops.chain.deploy import BACKENDS, LOCAL_TEST_ACCOUNTS, deploy
from tinyhops.cli.ape_command import NodeCommand
from tinyhops.cli.reporting import reports_errors
from tinyhops.errors import DeploymentError


@click.command(cls=NodeCommand)
@click.option("--lilypad", help="Address of the Lilypad v1 contract (required off local chains, for v1).")
@click.option(
    "--lilypad-v2",
    "lilypad_v2",
    help="Address of Lilypad v2's on-chain job creator (LilypadOnChainJobCreator): deploys the v2 registry on it.",
)
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default=None,
    help="The Lilypad the registry speaks [default: v2 with --lilypad-v2, else v1]. On a local chain without an "
    "address, v2 deploys the local job creator and its token (tokens minted to the test accounts).",
)
@click.option("--account", help="Ape account alias or TEST::N (default: THOPS_PRIVATE_KEY, or test account 0).")
@click.option(
    "--provider-account",
    default=f"TEST::{PROVIDER_TEST_ACCOUNT}",
    show_default=True,
    help="Local chains only: the resource provider registered with the local Lilypad (v2: its controller).",
)
@reports_errors
def cli(
    lilypad: str | None, lilypad_v2: str | None, backend: str | None, account: str | None, provider_account: str
) -> None:
    """Deploy the registry, Lilypad's client (and, on a local chain, the local Lilypad stand-in)."""
    if lilypad and lilypad_v2:
        raise DeploymentError("give either --lilypad (v1) or --lilypad-v2 (v2), not both")
    chosen = backend or ("v2" if lilypad_v2 else "v1")
    if (chosen == "v1" and lilypad_v2) or (chosen == "v2" and lilypad):
        raise DeploymentError(f"--backend {chosen} does not take --{'lilypad-v2' if lilypad_v2 else 'lilypad'}")
    address = lilypad_v2 if chosen == "v2" else lilypad
    local = chain.chain_id in LOCAL_CHAIN_IDS
    if lilypad_v2 is not None and not chain.provider.get_code(lilypad_v2):  # the v2 registry reads its token
        raise DeploymentError(f"no contract at {lilypad_v2} on chain {chain.chain_id}: check the address and --network")
    deployer = signer(account, local)
    provider = signer(provider_account, local).address if local and address is None else None
    mint_to = None
    if local and address is None and chosen == "v2":
        tested = [accounts.test_accounts[index].address for index in range(LOCAL_TEST_ACCOUNTS)]
        mint_to = tested + ([deployer.address] if deployer.address not in tested else [])
    deployment = deploy(project, deployer, chain.chain_id, local, address, provider, chosen, mint_to)
    click.echo(f"registry  {deployment.registry} (Lilypad {deployment.backend})")
    click.echo(f"lilypad   {deployment.lilypad}" + (" (local stand-in)" if deployment.local_lilypad else ""))
    if deployment.backend == "v2" and deployment.local_lilypad:
        click.echo(f"tokens    {LOCAL_TEST_ACCOUNTS} test accounts hold LocalLilypadToken to pay deposits with")
    if deployment.provider:
        role = "controller" if deployment.backend == "v2" else "provider"
        click.echo(f"{role:<9} {deployment.provider} (run `ape run provider`)")
