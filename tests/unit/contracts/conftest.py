"""Fixtures for the contract tests: the registry's neighbours impersonated, to call it as they would."""

from __future__ import annotations

import functools
from typing import Any

import ape_test.accounts
import pytest
from contract_helpers import ETHER

# Ape prints the call trace of every failed transaction and, to label its sender, derives the ten HD test
# accounts from the mnemonic again each time: a quarter of a second per expected revert. The derivation is
# a pure function of its arguments, so it is cached for the session.
ape_test.accounts.generate_dev_accounts = functools.cache(ape_test.accounts.generate_dev_accounts)


def _impersonate(accounts: Any, address: str) -> Any:
    account = accounts[address]
    account.balance += 10 * ETHER  # gas money: tests using these fixtures do not check that balance
    return account


@pytest.fixture
def as_lilypad(accounts: Any, lilypad: Any) -> Any:
    """LocalLilypad's address as a sender, to call `receiveJobResults` directly."""
    return _impersonate(accounts, lilypad.address)
