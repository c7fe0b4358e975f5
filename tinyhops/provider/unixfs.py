"""UnixFS as kubo's `ipfs add -r` lays it out, and the reading back of such DAGs.

Kubo's defaults: CIDv0, dag-pb nodes, 256 KiB chunks, a balanced tree of at most 174 links per node.
`--cid-version=1` gives CIDv1 and raw leaves (so a one-chunk file is its raw block). A directory is a dag-pb
node of type Directory whose links are its entries sorted by name, each with the cumulative size of the
entry's DAG; like `ipfs add -r`, hidden entries (names starting with ".") are left out of added folders.

Libraries do the parts they cover: `multiformats` the CIDs and multihashes, `ipld-dag-pb` the dag-pb codec.
Only the UnixFS `Data` message (four fields of a small protobuf) and the layout are written here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import ipld_dag_pb
from multiformats import CID, multihash, varint

CHUNK_SIZE = 256 * 1024
MAX_LINKS = 174

# UnixFS Data.Type values.
DIRECTORY = 1
FILE = 2

DAG_PB = "dag-pb"
RAW = "raw"

PutBlock = Callable[[CID, bytes], None]
GetBlock = Callable[[CID], bytes]


class UnixFsError(ValueError):
    """A DAG that is not UnixFS as this module reads it, or a path that is not in it."""


@dataclass(frozen=True)
class Node:
    """An added file or directory: its CID, the cumulative size of its blocks (a link's Tsize), its file size."""

    cid: CID
    tsize: int
    file_size: int = 0


def make_cid(version: int, codec: str, block: bytes) -> CID:
    """The CID of `block` (sha2-256), base58btc for CIDv0 and base32 for CIDv1, as kubo prints them."""
    digest = multihash.digest(block, "sha2-256")
    return CID("base58btc" if version == 0 else "base32", version, codec, digest)


def canonical(cid: CID) -> CID:
    """`cid` in the base IPFS prints it in: base58btc for CIDv0, base32 for CIDv1 (decoding loses the base)."""
    return cid.set(base="base58btc" if cid.version == 0 else "base32")


def _field(number: int, wire_type: int) -> bytes:
    return varint.encode(number << 3 | wire_type)


def unixfs_data(kind: int, data: bytes | None = None, file_size: int | None = None, block_sizes=()) -> bytes:
    """The UnixFS `Data` protobuf: Type (1), Data (2), filesize (3), blocksizes (4, one field each)."""
    out = _field(1, 0) + varint.encode(kind)
    if data:
        out += _field(2, 2) + varint.encode(len(data)) + data
    if file_size is not None:
        out += _field(3, 0) + varint.encode(file_size)
    for size in block_sizes:
        out += _field(4, 0) + varint.encode(size)
    return out


@dataclass(frozen=True)
class UnixFsData:
    """A decoded UnixFS `Data` message (the fields this module writes)."""

    kind: int
    data: bytes
    file_size: int | None
    block_sizes: tuple[int, ...]


def parse_unixfs_data(raw: bytes) -> UnixFsData:
    """Decode a UnixFS `Data` message; other fields (hash type, fanout, mode, mtime) are skipped."""
    kind, data, file_size, sizes, index = None, b"", None, [], 0
    try:
        while index < len(raw):
            key, length, _ = varint.decode_raw(raw[index:])
            index += length
            number, wire_type = key >> 3, key & 7
            if wire_type == 0:
                value, length, _ = varint.decode_raw(raw[index:])
                index += length
                if number == 1:
                    kind = value
                elif number == 3:
                    file_size = value
                elif number == 4:
                    sizes.append(value)
            elif wire_type == 2:
                size, length, _ = varint.decode_raw(raw[index:])
                index += length
                if number == 2:
                    data = bytes(raw[index : index + size])
                index += size
            else:
                raise UnixFsError(f"unexpected protobuf wire type {wire_type} in UnixFS data")
    except (ValueError, IndexError) as error:
        raise UnixFsError(f"malformed UnixFS data: {error}") from None
    if kind is None:
        raise UnixFsError("UnixFS data without a type")
    return UnixFsData(kind, data, file_size, tuple(sizes))


def _dag_pb(data: bytes, links: Iterable[tuple[str, Node]] = ()) -> bytes:
    node = ipld_dag_pb.PBNode(data, [ipld_dag_pb.PBLink(child.cid, name, child.tsize) for name, child in links])
    return bytes(ipld_dag_pb.encode(node))


@dataclass(frozen=True)
class Importer:
    """Adds files and directories as `ipfs add` does (`cid_version` 0 or 1), handing each block to `put`."""

    put: PutBlock
    cid_version: int = 0

    def __post_init__(self) -> None:
        if self.cid_version not in (0, 1):
            raise ValueError(f"CID version must be 0 or 1, not {self.cid_version}")

    def _store(self, codec: str, block: bytes) -> CID:
        cid = make_cid(self.cid_version, codec, block)
        self.put(cid, block)
        return cid

    def _leaf(self, chunk: bytes) -> Node:
        if self.cid_version == 1:  # raw leaves
            return Node(self._store(RAW, chunk), len(chunk), len(chunk))
        block = _dag_pb(unixfs_data(FILE, chunk, len(chunk)))
        return Node(self._store(DAG_PB, block), len(block), len(chunk))

    def _parent(self, children: list[Node]) -> Node:
        file_size = sum(child.file_size for child in children)
        data = unixfs_data(FILE, None, file_size, [child.file_size for child in children])
        block = _dag_pb(data, (("", child) for child in children))
        return Node(self._store(DAG_PB, block), len(block) + sum(c.tsize for c in children), file_size)

    def file_chunks(self, chunks: Iterable[bytes]) -> Node:
        """A file from its 256 KiB chunks, laid out as kubo's balanced builder does."""
        level = [self._leaf(chunk) for chunk in chunks] or [self._leaf(b"")]
        if len(level) == 1:
            return level[0]
        while len(level) > 1:
            level = [self._parent(level[i : i + MAX_LINKS]) for i in range(0, len(level), MAX_LINKS)]
        return level[0]

    def file(self, data: bytes) -> Node:
        return self.file_chunks(data[i : i + CHUNK_SIZE] for i in range(0, len(data), CHUNK_SIZE))

    def stream(self, source: BinaryIO) -> Node:
        return self.file_chunks(iter(lambda: source.read(CHUNK_SIZE), b""))

    def directory(self, entries: Mapping[str, Node]) -> Node:
        """A directory of `entries` (name to added node); names sort bytewise, as IPFS sorts them."""
        for name in entries:
            if not name or "/" in name or name in (".", ".."):
                raise UnixFsError(f"{name!r} is not a file name")
        links = sorted(entries.items(), key=lambda item: item[0].encode())
        block = _dag_pb(unixfs_data(DIRECTORY), links)
        return Node(self._store(DAG_PB, block), len(block) + sum(child.tsize for _, child in links))

    def tree(self, tree: bytes | Mapping) -> Node:
        """A file (bytes) or a directory (a mapping of names to such trees)."""
        if isinstance(tree, bytes | bytearray):
            return self.file(bytes(tree))
        return self.directory({name: self.tree(sub) for name, sub in tree.items()})

    def path(self, path: Path) -> Node:
        """A file or a folder on disk, as `ipfs add -r PATH` adds it (hidden entries left out)."""
        if path.is_symlink():
            raise UnixFsError(f"{path}: symbolic links are not added")
        if path.is_dir():
            children = sorted(child for child in path.iterdir() if not child.name.startswith("."))
            return self.directory({child.name: self.path(child) for child in children})
        if not path.is_file():
            raise UnixFsError(f"{path}: no such file or directory")
        with path.open("rb") as source:
            return self.stream(source)


@dataclass(frozen=True)
class Entry:
    """One link of a directory: its name, CID and cumulative size."""

    name: str
    cid: CID
    tsize: int


def _decode(cid: CID, get: GetBlock) -> tuple[UnixFsData, list[ipld_dag_pb.PBLink]] | None:
    """A dag-pb node's UnixFS data and links; None for a raw block."""
    if cid.codec.name == RAW:
        return None
    if cid.codec.name != DAG_PB:
        raise UnixFsError(f"{cid} is {cid.codec.name}, not UnixFS")
    try:
        node = ipld_dag_pb.decode(get(cid))
    except (ValueError, TypeError) as error:
        raise UnixFsError(f"{cid} is not a dag-pb node: {error}") from None
    return parse_unixfs_data(bytes(node.data or b"")), list(node.links)


def is_directory(cid: CID, get: GetBlock) -> bool:
    decoded = _decode(cid, get)
    return decoded is not None and decoded[0].kind == DIRECTORY


def list_directory(cid: CID, get: GetBlock) -> list[Entry]:
    decoded = _decode(cid, get)
    if decoded is None or decoded[0].kind != DIRECTORY:
        raise UnixFsError(f"{cid} is not a directory")
    return [Entry(link.name or "", canonical(link.hash), link.t_size or 0) for link in decoded[1]]


def file_chunks(cid: CID, get: GetBlock) -> Iterator[bytes]:
    """The bytes of the file at `cid`, chunk by chunk."""
    decoded = _decode(cid, get)
    if decoded is None:
        yield get(cid)
        return
    data, links = decoded
    if data.kind != FILE:
        raise UnixFsError(f"{cid} is a directory, not a file" if data.kind == DIRECTORY else f"{cid} is not a file")
    if data.data:
        yield data.data
    for link in links:
        yield from file_chunks(link.hash, get)


def read_file(cid: CID, get: GetBlock) -> bytes:
    return b"".join(file_chunks(cid, get))


def resolve(cid: CID, path: str, get: GetBlock) -> CID:
    """The CID that `path` ("outputs/image.png", "" for `cid` itself) names inside the directory `cid`."""
    for name in (part for part in path.split("/") if part):
        entries = {entry.name: entry.cid for entry in list_directory(cid, get)}
        if name not in entries:
            raise UnixFsError(f"{cid} has no entry {name!r}")
        cid = entries[name]
    return canonical(cid)


def blocks_of(cid: CID, get: GetBlock) -> Iterator[tuple[CID, bytes]]:
    """Every block of the DAG under `cid`, the root first (depth first, each once)."""
    seen: set[bytes] = set()
    pending = [cid]
    while pending:
        current = pending.pop()
        if bytes(current) in seen:
            continue
        seen.add(bytes(current))
        block = get(current)
        yield current, block
        if current.codec.name == DAG_PB:
            pending.extend(reversed([canonical(link.hash) for link in ipld_dag_pb.decode(block).links]))
