"""Gas attribution from call traces: what a transaction spent in our own contracts, Lilypad excluded.

anvil answers `debug_traceTransaction` with the callTracer: every call frame with its own gasUsed
(including its children). Registry-side gas of a frame is its gasUsed minus the gasUsed of every
nested frame that calls into the Lilypad contract.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eth_utils import function_signature_to_4byte_selector

RECEIVE_JOB_RESULTS = "0x" + function_signature_to_4byte_selector("receiveJobResults(uint256,string)").hex()
SUBMIT_RESULTS = "0x" + function_signature_to_4byte_selector("submitResults(uint256,string,string)").hex()


def call_trace(provider: Any, tx_hash: str) -> dict[str, Any]:
    return provider.make_request("debug_traceTransaction", [tx_hash, {"tracer": "callTracer"}])


def _frames(frame: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield frame
    for child in frame.get("calls", []) or []:
        yield from _frames(child)


def _gas(frame: dict[str, Any]) -> int:
    return int(frame["gasUsed"], 16)


def _lilypad_gas(frame: dict[str, Any], lilypad: str) -> int:
    """Gas of the outermost frames into Lilypad below `frame` (their own children included)."""
    total = 0
    for child in frame.get("calls", []) or []:
        if child.get("to", "").lower() == lilypad:
            total += _gas(child)
        else:
            total += _lilypad_gas(child, lilypad)
    return total


def registry_side_of_transaction(trace: dict[str, Any], receipt_gas: int, lilypad: str) -> int:
    """A submit or an advance: the whole transaction less its nested calls into Lilypad."""
    return receipt_gas - _lilypad_gas(trace, lilypad.lower())


def registry_side_of_delivery(
    trace: dict[str, Any], registry: str, lilypad: str, callback: str = RECEIVE_JOB_RESULTS
) -> int:
    """A result delivery: the registry's Lilypad callback frame (v1's receiveJobResults, v2's submitResults)
    less its nested calls into Lilypad. Calls into a token from that frame are the registry's own."""
    for frame in _frames(trace):
        if frame.get("to", "").lower() == registry.lower() and frame.get("input", "").startswith(callback):
            return _gas(frame) - _lilypad_gas(frame, lilypad.lower())
    raise ValueError("no Lilypad callback frame into the registry in this transaction")
