"""The registry's invariant state machine (tests/support/registry_machine.py): every rule against the real
contracts on anvil, with hostile answers, at the suite's profile (TINYHOPS_SOAK=1: 500 examples x 100 steps)."""

from __future__ import annotations

from typing import Any

from registry_machine import run_registry_machine


def test_registry_state_machine(project: Any, chain: Any, accounts: Any) -> None:
    run_registry_machine(project, chain, accounts)
