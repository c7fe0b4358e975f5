"""The contract types the package ships (for the chain commands outside a checkout) are the compiled ones."""

from __future__ import annotations

from typing import Any

import pytest

from tinyhops.chain import manifest


@pytest.mark.parametrize("name", manifest.SHIPPED)
def test_shipped_contract_types_match_the_compiled_contracts(project: Any, name: str) -> None:
    shipped = (manifest.SHIPPED_DIR / f"{name}.json").read_text()
    assert shipped == manifest.shipped_json(getattr(project, name).contract_type), (
        f"tinyhops/chain/contract_types/{name}.json is stale: `make compile` rewrites it"
    )


def test_shipped_contracts_bind_like_the_project_does(project: Any) -> None:
    shipped = manifest.ShippedContracts()
    for name in manifest.SHIPPED:
        assert getattr(shipped, name).contract_type.abi == getattr(project, name).contract_type.abi
    with pytest.raises(AttributeError, match="deploy from a checkout"):
        _ = shipped.MemeStudio
