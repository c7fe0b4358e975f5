"""The registry's invariant state machine (tests/support/registry_machine.py): every rule against the real
contracts on anvil, with hostile answers, at the suite's profile (TINYHOPS_SOAK=1: 500 examples x 100 steps), on
both Lilypad backends."""

from __future__ import annotations

from typing import Any

from registry_machine import run_registry_machine

# v2's rules are v1's less the failure callback and the reclaim, plus the controller's deposits; its machine
# runs at half the examples by default (the soak runs both in full).
V2_EXAMPLES = 25


def test_registry_state_machine(project: Any, chain: Any, accounts: Any) -> None:
    run_registry_machine(project, chain, accounts)


def test_registry_state_machine_on_lilypad_v2_token_escrow(project: Any, chain: Any, accounts: Any) -> None:
    run_registry_machine(project, chain, accounts, backend="v2", examples=V2_EXAMPLES)
