"""The one fixture factory of the end-to-end and reliability suites: a fresh `ProviderStack` (or a suite's
subclass of it) per test, in the test's own tmp folder, with TINYHOPS_HOME and TINYHOPS_DEPLOYMENTS pointing there
(so CLI children find it) and every provider child killed when the test ends. Each test deploys its own stack,
so Ape's snapshot/revert around tests cannot leave a provider looking at vanished contracts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tinyhops.testing.provider_stack import ProviderStack

Stack = TypeVar("Stack", bound=ProviderStack)


@contextmanager
def fresh_provider_stack(
    kind: type[Stack],
    project: Any,
    chain: Any,
    accounts: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    backend: str = "v1",
) -> Iterator[Stack]:
    """The stack on `backend`: "v1" (LocalLilypad, ether) or "v2" (LocalLilypadV2 and its token)."""
    for name, value in kind.environment_in(tmp_path).items():
        monkeypatch.setenv(name, value)
    stack = kind.deploy(project, chain, accounts, tmp_path, backend)
    try:
        yield stack
    finally:
        stack.kill_children()
