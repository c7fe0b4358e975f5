"""Where a transaction's gas goes in our own contracts, from an opcode trace (geth-style structLogs).

Each step of our contracts' frames is put in a category: storage writes (SSTORE), storage reads (SLOAD),
code (creating data contracts, reading their code), calls (the overhead of a call, not what the callee runs),
events (LOG*), computation (everything else: arithmetic, memory, hashing, jumps). Frames of excluded
contracts (Lilypad) are skipped whole; what a call into them costs the caller is still counted under calls.
Offline: works on the trace as JSON, imports nothing of Ape.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

CATEGORIES = ("storage writes", "storage reads", "code", "calls", "events", "computation")
_CALLS = {"CALL", "CALLCODE", "DELEGATECALL", "STATICCALL"}
_CREATES = {"CREATE", "CREATE2"}
_CODE = {"EXTCODECOPY", "EXTCODESIZE", "EXTCODEHASH"} | _CREATES
_ENDS = {"RETURN", "STOP", "REVERT", "SELFDESTRUCT"}


def category(op: str) -> str:
    if op == "SSTORE":
        return "storage writes"
    if op == "SLOAD":
        return "storage reads"
    if op in _CODE:
        return "code"
    if op in _CALLS:
        return "calls"
    if op.startswith("LOG"):
        return "events"
    return "computation"


def _callee(step: dict[str, Any]) -> str | None:
    """The address a call step calls (its second stack item from the top), lower case."""
    stack = step.get("stack") or []
    if step["op"] not in _CALLS or len(stack) < 2:
        return None
    return "0x" + int(stack[-2], 16).to_bytes(32, "big")[-20:].hex()


def _frame_end(logs: Sequence[dict[str, Any]], start: int, depth: int) -> int:
    """Index of the first step after `start` back at `depth` or above (the step after the call returns)."""
    i = start
    while i < len(logs) and logs[i]["depth"] > depth:
        i += 1
    return i


def attribute(
    logs: Sequence[dict[str, Any]], excluded: Iterable[str], start: int = 0, end: int | None = None
) -> Counter[str]:
    """Gas per category of the steps logs[start:end] (one frame and what it calls), excluded callees skipped."""
    skip = {address.lower() for address in excluded}
    end = len(logs) if end is None else end
    totals: Counter[str] = Counter()
    i = start
    while i < end:
        step = logs[i]
        depth = step["depth"]
        following = logs[i + 1] if i + 1 < len(logs) else None
        if following is not None and following["depth"] > depth:
            # A call or create that runs code: its own overhead here, the callee's steps on their own.
            back = _frame_end(logs, i + 1, depth)
            last = logs[back - 1]
            leftover = last["gas"] - last["gasCost"] if last["op"] in _ENDS else 0
            used_inside = following["gas"] - leftover
            after = logs[back]["gas"] if back < len(logs) else leftover
            totals["code" if step["op"] in _CREATES else "calls"] += step["gas"] - after - used_inside
            if _callee(step) in skip:
                i = back
            else:
                i += 1
            continue
        same_frame = following is not None and following["depth"] == depth
        cost = step["gas"] - following["gas"] if same_frame else step["gasCost"]
        totals[category(step["op"])] += cost
        i += 1
    return totals


def transaction(logs: Sequence[dict[str, Any]], excluded: Iterable[str]) -> Counter[str]:
    """A transaction sent to our contract: every frame but the excluded ones."""
    return attribute(logs, excluded)


def callback(logs: Sequence[dict[str, Any]], callee: str, excluded: Iterable[str]) -> Counter[str]:
    """A transaction sent to Lilypad, which calls `callee` back: that callback frame only (the last call
    from the outer frame into `callee`), as the registry-side delivery figure counts it."""
    callee = callee.lower()
    calls = [i for i, s in enumerate(logs) if s["depth"] == 1 and s["op"] == "CALL" and _callee(s) == callee]
    if not calls:
        raise ValueError(f"no call into {callee} in this trace")
    i = calls[-1]
    return attribute(logs, excluded, i + 1, _frame_end(logs, i + 1, 1))


def add(into: Counter[str], more: Counter[str]) -> None:
    into.update(more)


def shares(totals: Counter[str]) -> dict[str, int]:
    """The categories in CATEGORIES order, every one present."""
    return {name: int(totals.get(name, 0)) for name in CATEGORIES}
