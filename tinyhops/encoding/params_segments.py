"""Params templates as the compact bytes the registry resolves on-chain.

A sequence of segments, each opening with a 2-byte big-endian header h:
- top bit clear: a text segment, h bytes of literal UTF-8 follow (1 to 32767; longer text is split);
- top bit set: the result CID of the step at position h & 0x7fff in the submitted array; no payload.
Empty params encode to no bytes. `contracts/interfaces/ParamsEncoding.sol` documents the same format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tinyhops.errors import EncodingError
from tinyhops.spec.params import Ref, Segment, Text

REFERENCE_FLAG = 0x8000
MAX_TEXT_SEGMENT = 0x7FFF
HEADER_BYTES = 2


def encoded_length(segments: Iterable[Segment]) -> int:
    total = 0
    for segment in segments:
        if isinstance(segment, Ref):
            total += HEADER_BYTES
        else:
            size = len(segment.value.encode())
            chunks = -(-size // MAX_TEXT_SEGMENT)
            total += size + HEADER_BYTES * chunks
    return total


def encode(segments: Iterable[Segment], position_of: Callable[[int], int]) -> bytes:
    """Encode segments; `position_of` maps a referenced step id to its position in the submitted array."""
    out = bytearray()
    for segment in segments:
        if isinstance(segment, Ref):
            position = position_of(segment.step_id)
            if not 0 <= position <= MAX_TEXT_SEGMENT:
                raise EncodingError(f"step position {position} does not fit a 15-bit reference")
            out += (REFERENCE_FLAG | position).to_bytes(HEADER_BYTES, "big")
            continue
        data = segment.value.encode()
        if len(data) <= MAX_TEXT_SEGMENT:  # text fits one segment (empty text makes none)
            if data:
                out += len(data).to_bytes(HEADER_BYTES, "big")
                out += data
            continue
        for start in range(0, len(data), MAX_TEXT_SEGMENT):
            chunk = data[start : start + MAX_TEXT_SEGMENT]
            out += len(chunk).to_bytes(HEADER_BYTES, "big") + chunk
    return bytes(out)


def decode(data: bytes, step_id_at: Callable[[int], int]) -> tuple[Segment, ...]:
    """Inverse of `encode`; adjacent text is merged. Raises EncodingError on malformed bytes."""
    segments: list[Segment] = []
    pending = bytearray()
    offset = 0
    while offset < len(data):
        if offset + HEADER_BYTES > len(data):
            raise EncodingError(f"truncated segment header at byte {offset}")
        header = int.from_bytes(data[offset : offset + HEADER_BYTES], "big")
        offset += HEADER_BYTES
        if header & REFERENCE_FLAG:
            _flush(pending, segments)
            segments.append(Ref(step_id_at(header & MAX_TEXT_SEGMENT)))
            continue
        if header == 0 or offset + header > len(data):
            raise EncodingError(f"bad text segment length {header} at byte {offset - HEADER_BYTES}")
        pending += data[offset : offset + header]
        offset += header
    _flush(pending, segments)
    return tuple(segments)


def _flush(pending: bytearray, segments: list[Segment]) -> None:
    if not pending:
        return
    try:
        segments.append(Text(pending.decode()))
    except UnicodeDecodeError as exc:
        raise EncodingError(f"text segment is not UTF-8: {exc.reason}") from None
    pending.clear()
