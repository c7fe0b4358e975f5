"""A workflow's definition as the registry stored it: the code of its data contracts (DataContract.sol), read
with eth_getCode and unpacked as WorkflowDefinition.sol lays it out. Never a view call: what the registry
itself reads when it dispatches is what the index reads.

The first chunk's address is in WorkflowSubmitted; a definition longer than one chunk continues in contracts
the registry created right after it (CREATE, the registry's next nonces), so their addresses are computed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eth_utils import keccak, to_checksum_address

from tinyhops.errors import TinyHopsError

CHUNK_SIZE = 24_544  # DataContract.CHUNK_SIZE
RUNNER_FLAG = 1  # WorkflowStorage.RUNNER_FLAG, in the low byte of the first word (DefinitionBuilder sets it)
HEADERS = 32  # WorkflowDefinition.HEADERS: the workflow's first word comes before the step headers
RECORD_PREFIX = 5  # childCount u16 | moduleLength u8 | paramsLength u16
HEADER_BYTES = 2  # ParamsEncoding: one segment header
REFERENCE_FLAG = 0x8000
POSITION_MASK = 0x7FFF
NONCE_SEARCH = 4096  # how far past the expected nonce the first chunk is looked for


class DefinitionUnreadable(TinyHopsError):
    """The data contract does not hold a definition as WorkflowDefinition lays it out."""


@dataclass(frozen=True)
class StepDefinition:
    index: int
    step_id: int
    cost: int
    timeout: int
    retries: int
    needs_count: int
    children: tuple[int, ...]
    module: str
    template: bytes  # the params template (ParamsEncoding), references unresolved
    cacheable: bool = False  # the header's cacheable bit (StepDefinition.cacheable)

    def resolve(self, results: dict[int, str]) -> str:
        """The params the registry sends: each reference replaced by the result CID at that position."""
        out = bytearray()
        offset = 0
        while offset < len(self.template):
            header = int.from_bytes(self.template[offset : offset + HEADER_BYTES], "big")
            offset += HEADER_BYTES
            if header & REFERENCE_FLAG:
                out += results.get(header & POSITION_MASK, "").encode()
            else:
                out += self.template[offset : offset + header]
                offset += header
        return out.decode("utf-8", errors="replace")

    @property
    def references(self) -> tuple[int, ...]:
        found = []
        offset = 0
        while offset < len(self.template):
            header = int.from_bytes(self.template[offset : offset + HEADER_BYTES], "big")
            offset += HEADER_BYTES
            if header & REFERENCE_FLAG:
                found.append(header & POSITION_MASK)
            else:
                offset += header
        return tuple(found)


@dataclass(frozen=True)
class Definition:
    owner: str
    created_at: int
    steps: tuple[StepDefinition, ...]
    # Runner mode (WorkflowStorage.RUNNER_FLAG, the first word's lowest bit): Lilypad's callbacks only record.
    runner: bool = False

    def needs(self) -> dict[int, list[int]]:
        """Each step's dependencies (positions), from its parents' children lists."""
        parents: dict[int, list[int]] = {s.index: [] for s in self.steps}
        for step in self.steps:
            for child in step.children:
                parents[child].append(step.index)
        return parents


def create_address(sender: str, nonce: int) -> str:
    """The address CREATE gives the contract `sender` makes at `nonce` (keccak of rlp([sender, nonce]))."""
    raw_sender = bytes.fromhex(sender[2:])
    if nonce == 0:
        encoded_nonce = b"\x80"
    elif nonce < 0x80:
        encoded_nonce = bytes([nonce])
    else:
        body = nonce.to_bytes((nonce.bit_length() + 7) // 8, "big")
        encoded_nonce = bytes([0x80 + len(body)]) + body
    payload = bytes([0x80 + 20]) + raw_sender + encoded_nonce
    return to_checksum_address(keccak(bytes([0xC0 + len(payload)]) + payload)[12:])


def first_chunk_nonce(registry: str, address: str, expected: int) -> int:
    """The registry nonce that created `address`, looked for from `expected` on."""
    for nonce in range(max(expected, 1), expected + NONCE_SEARCH):
        if create_address(registry, nonce) == to_checksum_address(address):
            return nonce
    raise DefinitionUnreadable(f"definition {address} was not created by the registry {registry}")


def read_blob(
    code_at: Callable[[str], bytes], registry: str, address: str, step_count: int, expected_nonce: int
) -> tuple[bytes, int]:
    """The whole definition blob of a workflow of `step_count` steps, and the registry nonce after its chunks."""
    nonce = first_chunk_nonce(registry, address, expected_nonce)
    blob = _chunk(code_at, address)
    chunks = 1
    while len(blob) == CHUNK_SIZE * chunks and _size(blob, step_count) > len(blob):
        blob += _chunk(code_at, create_address(registry, nonce + chunks))
        chunks += 1
    return blob, nonce + chunks


def _chunk(code_at: Callable[[str], bytes], address: str) -> bytes:
    code = code_at(address)
    if not code or code[0] != 0:
        raise DefinitionUnreadable(f"no definition chunk at {address} (code must start with STOP)")
    return code[1:]


def _size(blob: bytes, step_count: int) -> int:
    """How long the blob must be, as far as the part read so far tells."""
    headers_end = HEADERS + 32 * step_count
    if len(blob) < headers_end:
        return headers_end
    size = headers_end
    for i in range(step_count):
        word = int.from_bytes(blob[HEADERS + 32 * i : HEADERS + 32 * i + 32], "big")
        record = (word >> 24) & 0xFFFFFF
        if record + RECORD_PREFIX > len(blob):
            return record + RECORD_PREFIX
        children, module_length, params_length = _prefix(blob, record)
        body = record + RECORD_PREFIX + 2 * children
        own_module = module_length if word & 0xFFFFFF == body else 0
        size = max(size, body + own_module + params_length)
    return size


def _prefix(blob: bytes, record: int) -> tuple[int, int, int]:
    raw = int.from_bytes(blob[record : record + RECORD_PREFIX], "big")
    return raw >> 24, (raw >> 16) & 0xFF, raw & 0xFFFF


def unpack(blob: bytes, step_count: int) -> Definition:
    """The definition of a workflow of `step_count` steps (WorkflowSubmitted says how many)."""
    if len(blob) < HEADERS + 32 * step_count:
        raise DefinitionUnreadable(f"definition of {len(blob)} bytes is too short for {step_count} steps")
    first = int.from_bytes(blob[:32], "big")
    owner = to_checksum_address((first >> 96).to_bytes(20, "big"))
    created_at = (first >> 56) & 0xFFFFFFFFFF
    steps = []
    for i in range(step_count):
        word = int.from_bytes(blob[HEADERS + 32 * i : HEADERS + 32 * i + 32], "big")
        record = (word >> 24) & 0xFFFFFF
        module_offset = word & 0xFFFFFF
        children, module_length, params_length = _prefix(blob, record)
        start = record + RECORD_PREFIX
        child_list = tuple(int.from_bytes(blob[start + 2 * k : start + 2 * k + 2], "big") for k in range(children))
        body = start + 2 * children
        module = blob[module_offset : module_offset + module_length]
        if module_offset == body:
            body += module_length
        template = blob[body : body + params_length]
        if body + params_length > len(blob) or any(c >= step_count for c in child_list):
            raise DefinitionUnreadable(f"step {i}'s record runs past the definition's end")
        steps.append(
            StepDefinition(
                index=i,
                step_id=word >> 192,
                cost=(word >> 96) & (2**96 - 1),
                timeout=(word >> 64) & 0xFFFFFFFF,
                retries=(word >> 60) & 0x7,
                needs_count=(word >> 48) & 0xFFF,
                children=child_list,
                module=module.decode("utf-8", errors="replace"),
                template=bytes(template),
                cacheable=bool(word >> 63 & 1),
            )
        )
    return Definition(owner, created_at, tuple(steps), runner=bool(first & RUNNER_FLAG))
