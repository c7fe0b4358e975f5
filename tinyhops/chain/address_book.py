"""Where the contracts are, per chain id: `deployments.json` in the project, written by `ape run deploy`.

Every later command reads it, so nobody pastes addresses. A local chain forgets its contracts when it
restarts; `load` notices (no code at the recorded address) and says to deploy again.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tinyhops.atomic_file import write_atomically
from tinyhops.errors import NotDeployed
from tinyhops.paths import deployments_file

LOCAL_CHAIN_IDS = frozenset({31337, 1337})


@dataclass(frozen=True)
class Deployment:
    """Addresses of one deployment. `provider` is set when the Lilypad is the local stand-in. `backend` is the
    Lilypad version the registry speaks: "v1" (Modicum, ether escrow; `lilypad` is Lilypad's contract) or
    "v2" (the on-chain job creator, token escrow; `lilypad` is the job creator)."""

    chain_id: int
    registry: str
    lilypad: str
    local_lilypad: bool
    provider: str | None
    block: int
    backend: str = "v1"


def record(deployment: Deployment, path: Path | None = None) -> None:
    path = path or deployments_file()
    entries = _read(path)
    entries[str(deployment.chain_id)] = asdict(deployment)
    write_atomically(path, (json.dumps(entries, indent=2) + "\n").encode())


def load(chain_id: int, code_at: Any = None, path: Path | None = None) -> Deployment:
    """The deployment for `chain_id`; `code_at(address) -> bytes` lets it check the contracts still exist."""
    path = path or deployments_file()
    entry = _read(path).get(str(chain_id))
    if entry is None:
        raise NotDeployed(f"no Tiny Hops deployment for chain {chain_id} in {path.name}: run `ape run deploy`")
    if "mediator" in entry:
        raise NotDeployed(
            f"the deployment recorded for chain {chain_id} is of an older Tiny Hops (registry and mediator): "
            "run `ape run deploy` again"
        )
    try:
        deployment = Deployment(**entry)
    except TypeError:
        raise NotDeployed(
            f"the deployment recorded for chain {chain_id} in {path.name} is not one this version reads: "
            "run `ape run deploy` again"
        ) from None
    if code_at is not None and not code_at(deployment.registry):
        raise NotDeployed(
            f"the registry recorded for chain {chain_id} ({deployment.registry}) has no code: "
            "the chain was reset; run `ape run deploy` again"
        )
    return deployment


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise NotDeployed(
            f"{path.name} is not valid JSON ({exc.msg} at line {exc.lineno}); delete it and deploy"
        ) from None
