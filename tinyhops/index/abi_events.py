"""Events as the shipped ABIs declare them (tinyhops/chain/contract_types/*.json): topics and decoding.

Nothing here names an event: whatever a contract's ABI declares is decoded, so an event added to a contract
(and shipped by `make compile`) is indexed without touching this file; `replay` gives meaning to the ones
it knows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from eth_abi import decode
from eth_utils import keccak

from tinyhops.chain.manifest import SHIPPED_DIR


@dataclass(frozen=True)
class EventAbi:
    name: str
    inputs: tuple[dict[str, Any], ...]

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(_canonical(i) for i in self.inputs)})"

    @property
    def topic(self) -> str:
        return "0x" + keccak(text=self.signature).hex()

    def decode(self, topics: list[str], data: str) -> dict[str, Any]:
        indexed = [i for i in self.inputs if i.get("indexed")]
        plain = [i for i in self.inputs if not i.get("indexed")]
        if len(topics) != 1 + len(indexed):
            raise ValueError(f"{self.name}: {len(topics) - 1} indexed topics, the ABI has {len(indexed)}")
        values: dict[str, Any] = {}
        for entry, topic in zip(indexed, topics[1:], strict=True):
            raw = bytes.fromhex(topic[2:])
            values[entry["name"]] = raw if _is_dynamic(entry) else decode([_canonical(entry)], raw)[0]
        decoded = decode([_canonical(i) for i in plain], bytes.fromhex(data[2:]))
        values.update({entry["name"]: value for entry, value in zip(plain, decoded, strict=True)})
        return {k: _plain(v) for k, v in values.items()}


def _canonical(entry: dict[str, Any]) -> str:
    kind = entry["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(_canonical(c) for c in entry["components"]) + ")" + kind[len("tuple") :]
    return kind


def _is_dynamic(entry: dict[str, Any]) -> bool:
    kind = entry["type"]
    return kind in ("string", "bytes") or kind.endswith("]") or kind.startswith("tuple")


def _plain(value: Any) -> Any:
    """JSON-ready: bytes as 0x-hex (eth_abi already checksums addresses)."""
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@cache
def events_of(contract: str) -> dict[str, EventAbi]:
    """The events a shipped contract declares, by topic 0."""
    abi = json.loads((SHIPPED_DIR / f"{contract}.json").read_text())["abi"]
    found = [EventAbi(e["name"], tuple(e["inputs"])) for e in abi if e["type"] == "event" and not e.get("anonymous")]
    return {event.topic: event for event in found}


def decode_log(events: dict[str, EventAbi], log: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(name, arguments) of a log, or None for one whose topic the ABI does not declare."""
    topics = log.get("topics") or []
    event = events.get(topics[0]) if topics else None
    if event is None:
        return None
    return event.name, event.decode(topics, log["data"])


@cache
def errors_of(contract: str) -> dict[bytes, tuple[str, tuple[str, ...]]]:
    """The custom errors a shipped contract declares, by selector: (name, argument types)."""
    abi = json.loads((SHIPPED_DIR / f"{contract}.json").read_text())["abi"]
    found = {}
    for entry in (e for e in abi if e["type"] == "error"):
        types = tuple(_canonical(i) for i in entry["inputs"])
        found[keccak(text=f"{entry['name']}({','.join(types)})")[:4]] = (entry["name"], types)
    return found


def describe_revert(contract: str, data: str) -> str | None:
    """`Name(arg, ...)` for revert data that is one of the contract's custom errors, else None."""
    raw = bytes.fromhex(data[2:]) if isinstance(data, str) and data.startswith("0x") else b""
    known = errors_of(contract).get(raw[:4])
    if known is None:
        return None
    name, types = known
    try:
        values = decode(list(types), raw[4:])
    except Exception:  # noqa: BLE001 - data that does not decode is shown by name only
        return name
    return f"{name}({', '.join(str(_plain(v)) for v in values)})"
