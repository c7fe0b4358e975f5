"""Deploying the contracts: the local Lilypad stand-ins (dev chains only: LocalLilypad for v1, LocalLilypadV2
and LocalLilypadToken for v2) and the registry on its Lilypad backend (LilypadV1Registry or LilypadV2Registry,
Lilypad's client itself)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rlp
from eth_utils import keccak, to_canonical_address, to_checksum_address

from tinyhops.chain import address_book
from tinyhops.errors import DeploymentError


def create_address(sender: str, nonce: int) -> str:
    """The address a contract created by `sender` with account nonce `nonce` gets."""
    return to_checksum_address(keccak(rlp.encode([to_canonical_address(sender), nonce]))[12:])


@dataclass
class Contracts:
    """The deployed stack, as Ape contract instances."""

    registry: Any
    lilypad: Any


# Gas each dispatch guarantees Lilypad's job submission (WorkflowRegistry's dispatchGas): generous, as it
# costs nothing unless used, and a keeper cannot starve a dispatch into failing the workflow.
DISPATCH_GAS = 1_000_000
# What a provider gives a result delivery: its own work and MAX_DISPATCH_PER_DELIVERY dispatches, each
# guaranteed DISPATCH_GAS: (1,000,000 + ~100,000) * 2 + ~400,000, rounded up.
DELIVERY_GAS_LIMIT = 3_000_000


def deploy_registry(project: Any, deployer: Any, lilypad: Any, dispatch_gas: int = DISPATCH_GAS) -> Contracts:
    """Deploy the registry as the Lilypad v1 client of `lilypad` (an address or contract)."""
    lilypad_address = getattr(lilypad, "address", lilypad)
    registry = deployer.deploy(project.LilypadV1Registry, lilypad_address, dispatch_gas)
    if registry.lilypad() != lilypad_address:
        raise DeploymentError(f"registry at {registry.address} answers to {registry.lilypad()}, not {lilypad_address}")
    return Contracts(registry=registry, lilypad=lilypad)


def deploy_registry_v2(project: Any, deployer: Any, job_creator: Any, dispatch_gas: int = DISPATCH_GAS) -> Contracts:
    """Deploy the registry as the Lilypad v2 client of `job_creator` (an address or contract): its escrow
    is the job creator's token."""
    address = getattr(job_creator, "address", job_creator)
    registry = deployer.deploy(project.LilypadV2Registry, address, dispatch_gas)
    if registry.lilypad() != address:
        raise DeploymentError(f"registry at {registry.address} answers to {registry.lilypad()}, not {address}")
    return Contracts(registry=registry, lilypad=job_creator)


# What each job costs on the local v2 job creator, in LocalLilypadToken units (18 decimals). Lilypad's own
# service takes 2 tokens a job; the stand-in takes 1 so that the sample's cheapest step (cost 1) runs on
# it. Steps on a real job creator must offer at least its `getRequiredDeposit()`.
LOCAL_V2_DEPOSIT = 10**18


def deploy_local_lilypad_v2(project: Any, deployer: Any, controller: Any, deposit: int = LOCAL_V2_DEPOSIT) -> Any:
    """Deploy LocalLilypadToken and the LocalLilypadV2 job creator run by `controller` (the local provider's
    account), each job requiring `deposit` token units. Returns the job creator."""
    token = deployer.deploy(project.LocalLilypadToken)
    return deployer.deploy(project.LocalLilypadV2, token.address, getattr(controller, "address", controller), deposit)


def deploy_local_lilypad(project: Any, deployer: Any, costs: dict[str, int], providers: list[Any]) -> Any:
    """Deploy the local Lilypad stand-in with module costs (wei) and registered providers."""
    lilypad = deployer.deploy(project.LocalLilypad)
    for module, cost in costs.items():
        lilypad.setModuleCost(module, cost, sender=deployer)
    for provider in providers:
        lilypad.setProvider(getattr(provider, "address", provider), True, sender=deployer)
    return lilypad


ETHER = 10**18
# What the local Lilypad charges, per module the local provider serves: Lilypad's 2023 testnet prices.
LOCAL_MODULE_COSTS = {
    "cowsay:v0.0.1": 1 * ETHER,
    "sdxl:v0.9-lilypad1": 4 * ETHER,
    "deterministic_wasm:v0.0.1": 2 * ETHER,
    # The audiovisual cow meme's local modules (examples/cow-meme-av.thops.json), priced like their kind.
    "joke:v0.0.1": 1 * ETHER,
    "caption:v0.0.1": 1 * ETHER,
    "speak:v0.0.1": 2 * ETHER,
    "video:v0.0.1": 3 * ETHER,
}


BACKENDS = ("v1", "v2")
# What every local test account gets of LocalLilypadToken on a local v2 deployment: enough to submit at once.
LOCAL_TEST_TOKENS = 1_000 * 10**18
LOCAL_TEST_ACCOUNTS = 10  # anvil's (and Ape's) test accounts 0-9


def deploy(
    project: Any,
    deployer: Any,
    chain_id: int,
    local: bool,
    lilypad: str | None,
    provider: str | None,
    backend: str = "v1",
    mint_to: list[str] | None = None,
) -> address_book.Deployment:
    """Deploy for `ape run deploy` and record the addresses (and the backend).

    v1: the registry on the Lilypad v1 contract `lilypad`; on a local chain without it, the LocalLilypad
    stand-in with LOCAL_MODULE_COSTS and `provider` registered. v2: the registry on the job creator `lilypad`;
    on a local chain without it, LocalLilypadToken and LocalLilypadV2 with `provider` as its controller, and
    LOCAL_TEST_TOKENS minted to each of `mint_to`. On any other chain the real contract's address is required
    and no stand-in is ever deployed."""
    if backend not in BACKENDS:
        raise DeploymentError(f"backend {backend!r} is not one of {', '.join(BACKENDS)}")
    local_lilypad = None
    if lilypad is None:
        if not local:
            option = "--lilypad-v2 ADDRESS (the job creator)" if backend == "v2" else "--lilypad ADDRESS"
            raise DeploymentError(f"chain {chain_id} is not a local chain: give the Lilypad contract with {option}")
        if backend == "v2":
            local_lilypad = deploy_local_lilypad_v2(project, deployer, provider or deployer)
            token = project.LocalLilypadToken.at(local_lilypad.getTokenAddress())
            for account in mint_to or []:
                token.mint(account, LOCAL_TEST_TOKENS, sender=deployer)
        else:
            local_lilypad = deploy_local_lilypad(project, deployer, LOCAL_MODULE_COSTS, [provider] if provider else [])
        lilypad = local_lilypad.address
    if backend == "v2":
        stack = deploy_registry_v2(project, deployer, lilypad)
    else:
        stack = deploy_registry(project, deployer, lilypad)
    deployment = address_book.Deployment(
        chain_id=chain_id,
        registry=stack.registry.address,
        lilypad=lilypad,
        local_lilypad=local_lilypad is not None,
        provider=provider if local_lilypad is not None else None,
        block=_creation_block(stack.registry),
        backend=backend,
    )
    address_book.record(deployment)
    return deployment


def _creation_block(contract: Any) -> int:
    """The block a contract was created in: where the provider starts looking for jobs."""
    metadata = contract.creation_metadata
    return int(metadata.block) if metadata is not None and metadata.block is not None else 0
