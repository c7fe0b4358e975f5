"""Every contract the project deploys fits EIP-170's limit on runtime code, with what room is left said."""

from __future__ import annotations

from typing import Any

import pytest

EIP_170_BYTES = 24_576
DEPLOYABLE = (
    "LilypadV1Registry",
    "LilypadV2Registry",
    "LocalLilypad",
    "LocalLilypadV2",
    "LocalLilypadToken",
    "MemeStudio",
)


def runtime_size(contract_type: Any) -> int:
    code = contract_type.runtime_bytecode.bytecode
    return len(bytes.fromhex(code.removeprefix("0x")))


@pytest.mark.parametrize("name", DEPLOYABLE)
def test_the_runtime_code_fits_eip_170(project: Any, name: str) -> None:
    size = runtime_size(getattr(project, name).contract_type)
    assert 0 < size <= EIP_170_BYTES, f"{name}: {size:,} bytes of runtime code, the limit is {EIP_170_BYTES:,}"
    print(f"{name}: {size:,} of {EIP_170_BYTES:,} bytes")
