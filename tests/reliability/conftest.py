"""Fixtures of the reliability suite: a fresh deployment per test on the session's anvil with the real provider
process (`ape run provider`) as a child with its own state folder (tests/support/provider_stacks.py), driven
through raw JSON-RPC (tinyhops.testing.reliability.rawchain: fast, thread-safe, no Python-side checks).

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
def harness(project: Any, chain: Any, accounts: Any, tmp_path: Path, monkeypatch: Any) -> Iterator[Harness]:
    with fresh_provider_stack(Harness, project, chain, accounts, tmp_path, monkeypatch) as stack:
        yield stack
