"""Fixtures of the reliability suite: a fresh deployment per test on the session's anvil with the real provider
process (`ape run provider`) as a child with its own state folder (tests/support/provider_stacks.py), driven
through raw JSON-RPC (tinyhops.testing.reliability.rawchain: fast, thread-safe, no Python-side checks).

Backends: the fixture deploys Lilypad v1 (LocalLilypad, ether) unless a test parametrises `backend` with "v2"
(LocalLilypadV2 and its token, the provider account its controller; every test account but the deployer is
minted TOKENS_PER_ACCOUNT). What runs on which (issue 10):

- both: the load run and the fault run (test_load.py, test_faults.py: money to the unit, kills, faults, late
  and duplicate answers), v2 with a smaller default profile; the ledger's own check (test_ledger.py, v2); the
  index rebuilt from a deployment's events (test_index_rebuild.py: on v2 a smaller mix; the reorg on v1).
- v1 only, because what they test does not depend on the Lilypad behind the registry, and the parts that do
  are covered on v2 elsewhere: test_chain_restart.py (the node going away and rolling back, under the
  provider and the monitor: chain-level; the provider's v2 restart safety is test_faults[v2]),
  tests/e2e/dashboard (the page reads the index), test_bad_documents.py and test_raw_calldata.py
  (validation and the definition decoder, shared by both registries in WorkflowRegistry; v2's one extra check,
  TimeoutRequired, is in tests/unit/contracts/test_lilypad_v2_backend.py), test_regressions.py.

Profiles: the default keeps the whole suite within a few minutes; TINYHOPS_SOAK=1 runs more of everything.
TINYHOPS_SEED (default 20261127) seeds every random choice, so a failure replays with the same seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from provider_stacks import fresh_provider_stack
from raw_harness import Harness


@pytest.fixture
def backend() -> str:
    """The Lilypad the harness deploys: v1 unless a test parametrises it."""
    return "v1"


@pytest.fixture
def harness(
    project: Any, chain: Any, accounts: Any, tmp_path: Path, monkeypatch: Any, backend: str
) -> Iterator[Harness]:
    with fresh_provider_stack(Harness, project, chain, accounts, tmp_path, monkeypatch, backend) as stack:
        yield stack
