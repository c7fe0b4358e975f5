"""Deploying the contracts: LocalLilypad (dev chains only), the Lilypad v1 mediator and the registry.

Registry and mediator hold each other's address as immutables, so the mediator is deployed first with
the address the registry will get: the deployer's next CREATE address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rlp
from eth_utils import keccak, to_canonical_address, to_checksum_address

from tinyhops.errors import TinyHopsError


class DeploymentError(TinyHopsError):
    """The contracts could not be deployed or do not point at each other."""


def create_address(sender: str, nonce: int) -> str:
    """The address a contract created by `sender` with account nonce `nonce` gets."""
    return to_checksum_address(keccak(rlp.encode([to_canonical_address(sender), nonce]))[12:])


@dataclass
class Contracts:
    """The deployed stack, as Ape contract instances."""

    registry: Any
    mediator: Any
    lilypad: Any


def deploy_registry(project: Any, deployer: Any, lilypad: Any) -> Contracts:
    """Deploy mediator and registry against `lilypad` (an address or contract); check they are wired."""
    lilypad_address = getattr(lilypad, "address", lilypad)
    registry_address = create_address(deployer.address, deployer.nonce + 1)
    mediator = deployer.deploy(project.LilypadV1Mediator, lilypad_address, registry_address)
    registry = deployer.deploy(project.WorkflowRegistry, mediator.address)
    if registry.address != registry_address or mediator.registry() != registry.address:
        raise DeploymentError(f"registry deployed at {registry.address}, mediator expects {registry_address}")
    return Contracts(registry=registry, mediator=mediator, lilypad=lilypad)


def deploy_local_lilypad(project: Any, deployer: Any, costs: dict[str, int], providers: list[Any]) -> Any:
    """Deploy the local Lilypad stand-in with module costs (wei) and registered providers."""
    lilypad = deployer.deploy(project.LocalLilypad)
    for module, cost in costs.items():
        lilypad.setModuleCost(module, cost, sender=deployer)
    for provider in providers:
        lilypad.setProvider(getattr(provider, "address", provider), True, sender=deployer)
    return lilypad
