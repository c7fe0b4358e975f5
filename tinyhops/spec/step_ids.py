"""Step ids as a file writes them: a number, or a name such as `fetch-data` that stands for a number.

On chain a step id is a uint64 (`IWorkflowRegistry.StepDefinition.stepId`). A name's id is the first eight
bytes of the keccak-256 of its UTF-8 (here ASCII) bytes, big-endian: in Solidity
`uint64(bytes8(keccak256(bytes(name))))`. So another contract that knows a step's name finds its result with
`resultOf(workflowId, uint64(bytes8(keccak256("fetch-data"))))`, and nothing of the name needs to be on chain.

A string of digits ("1", "007") is a number, as in the original format; a name begins with a letter or `_` and
goes on with letters, digits, `_`, `-` and `.` (ASCII only, so that a name has one spelling and one id), at most
`MAX_NAME_CHARS` characters. Two steps whose ids are equal (two names, or a name and a number) are a duplicate.
"""

from __future__ import annotations

import re
from typing import Any, Final

MAX_NAME_CHARS: Final = 100
NAME: Final = re.compile(rf"[A-Za-z_][A-Za-z0-9_.-]{{0,{MAX_NAME_CHARS - 1}}}")
DIGITS: Final = re.compile(r"[0-9]{1,20}")
# The alternatives of a `{{stepId:...}}` reference, for the params reader's regular expressions.
REFERENCE_PATTERN: Final = rf"[0-9]{{1,20}}|[A-Za-z_][A-Za-z0-9_.-]{{0,{MAX_NAME_CHARS - 1}}}"


def id_of_name(name: str) -> int:
    """The on-chain id of a named step: `uint64(bytes8(keccak256(bytes(name))))`."""
    from eth_hash.auto import keccak

    return int.from_bytes(keccak(name.encode())[:8], "big")


step_id_of_name = id_of_name  # the SDK's name for it (`tinyhops.step_id_of_name`)


def is_name(value: Any) -> bool:
    return type(value) is str and NAME.fullmatch(value) is not None


def parse(value: Any) -> int | None:
    """The id a step id stands for as the schema admits it (a string of up to 20 digits, a name, an integer,
    an integer-valued float); None for anything else."""
    kind = type(value)
    if kind is str:
        if value.isascii() and value.isdigit() and len(value) <= 20:
            return int(value)
        return id_of_name(value) if NAME.fullmatch(value) else None
    if kind is int:
        return value if value >= 0 else None
    if kind is float and value.is_integer() and value >= 0:
        return int(value)
    return None


def label(value: Any) -> int | str | None:
    """How a person reads the step id `value`: its name, or its number; None when it is neither."""
    if is_name(value):
        return value
    return parse(value)
