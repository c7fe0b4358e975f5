"""The address book (address_book.json): what this version wrote reads back; what an older one wrote, or a
broken entry, is a one-line NotDeployed saying to deploy again, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tinyhops.chain import address_book
from tinyhops.chain.address_book import Deployment
from tinyhops.errors import NotDeployed

REGISTRY = "0x" + "11" * 20
LILYPAD = "0x" + "22" * 20


def test_a_recorded_deployment_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "address_book.json"
    recorded = Deployment(31337, REGISTRY, LILYPAD, True, None, 7)
    address_book.record(recorded, path)
    assert address_book.load(31337, path=path) == recorded


def test_an_entry_of_the_registry_and_mediator_era_asks_for_a_new_deployment(tmp_path: Path) -> None:
    path = tmp_path / "address_book.json"
    old = {
        "chain_id": 31337,
        "registry": REGISTRY,
        "mediator": "0x" + "33" * 20,
        "lilypad": LILYPAD,
        "local_lilypad": True,
        "provider": None,
        "block": 1,
    }
    path.write_text(json.dumps({"31337": old}))
    with pytest.raises(NotDeployed, match=r"older Tiny Hops \(registry and mediator\): run `ape run deploy` again$"):
        address_book.load(31337, path=path)


def test_an_entry_this_version_cannot_read_asks_for_a_new_deployment(tmp_path: Path) -> None:
    path = tmp_path / "address_book.json"
    path.write_text(json.dumps({"31337": {"chain_id": 31337, "registry": REGISTRY}}))
    with pytest.raises(NotDeployed, match="is not one this version reads: run `ape run deploy` again$"):
        address_book.load(31337, path=path)
