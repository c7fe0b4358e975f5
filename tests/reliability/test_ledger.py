"""The money reconciliation itself (tinyhops.testing.reliability.ledger) on Lilypad v2: it balances a deployment
where deposits were allowed to the controller and some taken, and it catches a token unit nobody accounts for.
The load and fault runs rely on it finding every mismatch, so its sensitivity is tested here, without a provider.
"""

from __future__ import annotations

from typing import Any

import pytest
from eth_account import Account

from tinyhops import spec
from tinyhops.testing import shapes
from tinyhops.testing.reliability.ledger import reconcile
from tinyhops.testing.reliability.rawchain import ok

OWNER, STRANGER = 1, 6


@pytest.mark.parametrize("backend", ["v2"])
def test_v2_ledger_balances_allowed_and_taken_deposits_and_catches_a_stray_token_unit(
    harness: Any, backend: str
) -> None:
    stack = harness.stack
    workflow_id, _ = stack.submit(harness.keys[OWNER], spec.load(shapes.fan(3)))  # dispatches its root
    deposit = stack.lilypad.call("getRequiredDeposit")
    ledger = reconcile(stack)
    assert not ledger.problems, ledger.problems
    assert (ledger.dispatched_cost, ledger.allowance, ledger.taken_by_controller) == (deposit, deposit, 0)

    controller = Account.from_key(harness.provider_key).address
    assert ok(stack.token.send(harness.provider_key, "transferFrom", stack.registry.address, controller, deposit))
    assert ok(stack.fund(harness.keys[STRANGER], workflow_id, 5))
    ledger = reconcile(stack)
    assert not ledger.problems, ledger.problems
    assert (ledger.allowance, ledger.taken_by_controller) == (0, deposit)
    assert ledger.accounts[Account.from_key(harness.keys[OWNER]).address].deposited == (
        spec.load(shapes.fan(3)).required_deposit_wei + 5
    )

    assert ok(stack.token.send(harness.keys[STRANGER], "transfer", stack.registry.address, 1))
    ledger = reconcile(stack)
    assert ledger.unaccounted == 1
    assert any("registry holds" in problem for problem in ledger.problems), ledger.problems
