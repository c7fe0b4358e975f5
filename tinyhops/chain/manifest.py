"""The contracts' interfaces as the package ships them, so the chain commands work outside a checkout.

In a checkout, Ape's project (compiled from `contracts/`) is the source of every contract type. An installed
package has no sources: it carries the ABI of each contract a client binds to (not their bytecode: deploying
is done from a checkout, `ape run deploy`), in `tinyhops/chain/contract_types/NAME.json`. `make compile`
writes them (`python -m tinyhops.chain.manifest`); a test checks they match the compiled contracts.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SHIPPED_DIR = Path(__file__).resolve().parent / "contract_types"

# What a client binds to: the registry's story (every backend's common ABI), the two backends, and the
# stand-ins (whose ABIs are supersets of Lilypad v1's, of the v2 job creator's and of an ERC-20's).
SHIPPED = (
    "WorkflowRegistry",
    "LilypadV1Registry",
    "LilypadV2Registry",
    "LocalLilypad",
    "LocalLilypadV2",
    "LocalLilypadToken",
)


@dataclass(frozen=True)
class ShippedContract:
    """Stands where Ape's contract container would (`.contract_type`), for binding at an address."""

    contract_type: Any


class ShippedContracts:
    """`project`-like access to the shipped contract types: `ShippedContracts().WorkflowRegistry`."""

    def __getattr__(self, name: str) -> ShippedContract:
        if name not in SHIPPED:
            raise AttributeError(f"the installed package ships no contract {name!r} (deploy from a checkout)")
        return ShippedContract(_load(name))


@cache
def _load(name: str) -> Any:
    from ethpm_types import ContractType

    return ContractType.model_validate_json((SHIPPED_DIR / f"{name}.json").read_text())


def shipped_json(contract_type: Any) -> str:
    """What the package ships of a compiled contract type: its name and ABI."""
    return json.dumps(contract_type.model_dump(include={"name", "abi"}, by_alias=True, mode="json"), indent=1) + "\n"


def write(project: Any) -> list[Path]:
    """Write the shipped contract types from `project`'s compiled contracts."""
    SHIPPED_DIR.mkdir(exist_ok=True)
    written = []
    for name in SHIPPED:
        path = SHIPPED_DIR / f"{name}.json"
        text = shipped_json(getattr(project, name).contract_type)
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
            written.append(path)
    return written


def main() -> int:
    from ape import project

    for path in write(project):
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
