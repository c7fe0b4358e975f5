"""The registry's invariant state machine (tests/support/registry_machine.py) for the figures: the same
test at its own profile (50 examples × 30 steps; TINYHOPS_SOAK=1: 500 × 100), with the suite's seed, counting
the examples and steps it ran. `make test` already runs the machine in tests/unit, so this file is not named
test_*.py: pytest collects it only when given its path, as the figures script does.

Soak: `TINYHOPS_SOAK=1 TINYHOPS_SEED=N make figures`, or the machine alone with
`TINYHOPS_SOAK=1 .venv/bin/ape test tests/reliability/invariants_counted.py -p no:cacheprovider -s`; a failure
prints the shrunk steps and replays with the same TINYHOPS_SEED.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from hypothesis import seed, settings

from tinyhops.testing.reliability.record import record
from tinyhops.testing.reliability.record import seed as suite_seed

MACHINE = Path(__file__).resolve().parents[1] / "support" / "registry_machine.py"


def load_machine() -> ModuleType:
    """A copy of the state machine's module of its own, so that counting it leaves the shared one as it is."""
    spec = importlib.util.spec_from_file_location("tinyhops_registry_state_machine", MACHINE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_registry_state_machine_counted(project: Any, chain: Any, accounts: Any) -> None:
    machine = load_machine()
    base = machine.RegistryMachine
    runs: list[tuple[int, bool]] = []  # (steps, ended normally) of every run, Hypothesis' discarded ones included

    class Counted(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            self.checks = 0

        def check_invariants(self, *args: Any, **kwargs: Any) -> None:
            self.checks += 1  # once after the set-up, then once after every step
            super().check_invariants(*args, **kwargs)

        def teardown(self) -> None:
            # Called in a `finally`: an exception on its way out means a run Hypothesis discarded (or a failure).
            runs.append((self.checks - 1, sys.exc_info()[1] is None))
            super().teardown()

    machine.RegistryMachine = seed(suite_seed())(Counted)
    machine.SETTINGS = settings(machine.SETTINGS, database=None)  # the seed alone decides what runs
    machine.run_registry_machine(project, chain, accounts)
    record(
        "invariants",
        seed=suite_seed(),
        max_examples=machine.SETTINGS.max_examples,
        max_steps=machine.SETTINGS.stateful_step_count,
        examples=sum(ended for _, ended in runs),
        steps=sum(steps for steps, ended in runs if ended),
        runs=len(runs),
        steps_in_all_runs=sum(steps for steps, _ in runs),
        transitions=dict(sorted(machine.TALLY.counts.items())),
    )
