"""Actors and a freshly deployed stack: LocalLilypad and the registry, its Lilypad v1 client."""

from __future__ import annotations

import os
from typing import Any

# Tests run on their own anvil at a random port, never on the chain a user keeps at 8545 (ape-config.yaml).
os.environ["APE_FOUNDRY_HOST"] = "auto"
os.environ["APE_FOUNDRY_MANAGE_PROCESS"] = "true"

import pytest
from hypothesis.internal.conjecture import providers as hypothesis_providers

from tinyhops import spec
from tinyhops.chain.deploy import deploy_local_lilypad, deploy_registry
from tinyhops.testing.local_driver import LocalDriver

# Hypothesis mixes into what it generates the literals of every local module imported so far (its "local
# constants"), so the same seed drew other examples whenever other tests had run first, or a string was added
# anywhere in the code: the suite's figures followed the collection order and the code, not the seed. Draw
# from Hypothesis' global constants only. (A private hook, so the suite stops at once if it ever goes away.)
assert hasattr(hypothesis_providers, "_get_local_constants"), "Hypothesis changed: see tests/conftest.py"
_NO_LOCAL_CONSTANTS = hypothesis_providers.Constants()
hypothesis_providers._get_local_constants = lambda: _NO_LOCAL_CONSTANTS


def pytest_configure(config: Any) -> None:
    # ape-foundry reads no environment variable for manage_process, and ape-config.yaml's `false` would
    # refuse to start the throwaway anvil (FoundryProviderError at 'auto'): set it before Ape connects.
    from ape import config as ape_config

    ape_config.get_config("foundry").manage_process = True


ETHER = 10**18
MODULE_COSTS = {
    "cowsay:v0.0.1": ETHER,
    "sdxl:v0.9-lilypad1": 4 * ETHER,
    "deterministic_wasm:v0.0.1": 2 * ETHER,
}


@pytest.fixture(scope="session")
def deployer(accounts: Any) -> Any:
    return accounts[0]


@pytest.fixture(scope="session")
def user(accounts: Any) -> Any:
    return accounts[1]


@pytest.fixture(scope="session")
def stranger(accounts: Any) -> Any:
    return accounts[2]


@pytest.fixture(scope="session")
def provider(accounts: Any) -> Any:
    return accounts[3]


@pytest.fixture(scope="session")
def keeper(accounts: Any) -> Any:
    return accounts[4]


@pytest.fixture(scope="session")
def lilypad(project: Any, deployer: Any, provider: Any) -> Any:
    return deploy_local_lilypad(project, deployer, MODULE_COSTS, [provider])


@pytest.fixture(scope="session")
def stack(project: Any, deployer: Any, lilypad: Any) -> Any:
    return deploy_registry(project, deployer, lilypad)


@pytest.fixture(scope="session")
def registry(stack: Any) -> Any:
    return stack.registry


@pytest.fixture
def driver(registry: Any, lilypad: Any, provider: Any, keeper: Any) -> LocalDriver:
    return LocalDriver(registry, lilypad, provider, keeper)


def cowsay_workflow(document_steps: list[Any], **step_defaults: Any) -> spec.Workflow:
    """A workflow of cowsay steps costing 1 ether each, from `stepId`/`needs`/`params` shorthands."""
    return spec.load({"version": "v0.0.1", "steps": document_steps})
