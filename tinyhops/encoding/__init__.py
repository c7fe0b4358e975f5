"""How a workflow travels to the chain: `submit`'s ABI arguments and the params segments inside them.

Owns: `submit_arguments` (StepDefinition tuples, calldata, and decoding both back into a workflow) and
`params_segments` (a params template as length-prefixed text and 15-bit step references, the layout
`contracts/interfaces/ParamsEncoding.sol` reads), and `cache_key` (a step's key in the registry's result cache).

May import: `tinyhops.spec`, `tinyhops.errors`, eth-abi. Never Ape.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = [
    "STEP_DEFINITION_TYPE",
    "SUBMIT_ARGUMENT_TYPE",
    "StepDefinition",
    "calldata_arguments",
    "decode",
    "decode_calldata_arguments",
    "encode",
]

if TYPE_CHECKING:
    from tinyhops.encoding.submit_arguments import (
        STEP_DEFINITION_TYPE,
        SUBMIT_ARGUMENT_TYPE,
        StepDefinition,
        calldata_arguments,
        decode,
        decode_calldata_arguments,
        encode,
    )


def __getattr__(name: str) -> Any:
    """The submit-argument names, imported on first use (params_segments is imported by the spec reader,
    which submit_arguments itself imports)."""
    if name not in __all__:
        raise AttributeError(f"module 'tinyhops.encoding' has no attribute {name!r}")
    return getattr(import_module("tinyhops.encoding.submit_arguments"), name)
