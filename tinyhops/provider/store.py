"""A local content-addressed store of IPFS blocks, holding files and result directories as UnixFS DAGs.

Each block lives at `<root>/<last two characters>/<CIDv1 base32 of the block>` (a CIDv0 `Qm…` and its CIDv1
name the same block); writes go to a temporary file moved into place with `os.replace`, so a reader never
sees half a block, and reads check that the bytes still hash to their CID. A reference is a CID, optionally
followed by a path into a directory: `Qm…/outputs/image.png`. In params, references to stored text are
replaced by that text; a job's result directory reads as its `stdout` (when it has one that is not empty).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from multiformats import CID

from tinyhops.atomic_file import write_atomically
from tinyhops.errors import ContentCorrupt, ContentNotFound, InvalidCid, NotInDirectory, StoreError
from tinyhops.provider import unixfs
from tinyhops.provider.cids import is_cid

# A CIDv1 in base32 (59 characters: raw or dag-pb, sha2-256) or a CIDv0 (Qm + 44 base58btc characters).
_CID = r"(?:b[a-z2-7]{58}|Qm[1-9A-HJ-NP-Za-km-z]{44})"
CID_PATTERN = re.compile(rf"(?<![A-Za-z0-9]){_CID}(?![A-Za-z0-9])")
# A CID followed by a path into it: /outputs/image.png (names of letters, digits and ._~-).
REFERENCE_PATTERN = re.compile(rf"(?<![A-Za-z0-9]){_CID}(?:/[A-Za-z0-9._~-]+)*(?![A-Za-z0-9])")

# Content larger than this is left as its reference when params are expanded.
MAX_EXPANDED_BYTES = 1 << 20

# The file a result directory reads as when a module is given the directory itself.
PRIMARY_OUTPUT = "stdout"


def looks_like_cid(text: str) -> bool:
    """Whether `text` is a whole CIDv0 or base32 CIDv1 (pattern and a real parse)."""
    return CID_PATTERN.fullmatch(text) is not None and is_cid(text)


def split_reference(reference: str) -> tuple[str, str]:
    """`CID/a/b` as (`CID`, `a/b`); `InvalidCid` when it does not start with a CID."""
    cid, _, path = reference.strip().partition("/")
    if not looks_like_cid(cid):
        raise InvalidCid(reference)
    return cid, path


def _key(cid: CID) -> str:
    return str(cid.set(version=1, base="base32")) if cid.version == 0 else str(cid.set(base="base32"))


@dataclass(frozen=True)
class ContentStore:
    """IPFS blocks under `root` (created on first write), read and written as UnixFS files and directories."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    # Blocks.

    def path_of(self, cid: str | CID) -> Path:
        """Where the block of `cid` lives (whether or not it is there)."""
        if isinstance(cid, str):
            if not looks_like_cid(cid):
                raise InvalidCid(cid)
            cid = CID.decode(cid)
        key = _key(cid)
        return self.root / key[-2:] / key

    def put_block(self, cid: CID, block: bytes) -> None:
        path = self.path_of(cid)
        if not (path.is_file() and path.read_bytes() == block):
            write_atomically(path, block)

    def get_block(self, cid: CID) -> bytes:
        """The block of `cid`: `ContentNotFound` if absent, `ContentCorrupt` if it no longer hashes to it."""
        try:
            block = self.path_of(cid).read_bytes()
        except FileNotFoundError:
            raise ContentNotFound(str(cid)) from None
        actual = unixfs.make_cid(cid.version, cid.codec.name, block)
        if actual != cid:
            raise ContentCorrupt(str(cid), str(actual))
        return block

    def remembering(self) -> RememberingStore:
        """This store, keeping each block it reads (checked once) for as long as the view is used."""
        return RememberingStore(self.root)

    # Files and directories.

    def importer(self, cid_version: int) -> unixfs.Importer:
        return unixfs.Importer(self.put_block, cid_version)

    def put(self, data: bytes, cid_version: int = 1) -> str:
        """Store `data` as a file and return its CID (CIDv1 by default: a small file's raw CID)."""
        return str(self.importer(cid_version).file(data).cid)

    def put_tree(self, tree: bytes | Mapping, cid_version: int = 0) -> str:
        """Store a file (bytes) or a directory (names to trees) and return its CID, as `ipfs add -r` gives it."""
        return str(self.importer(cid_version).tree(tree).cid)

    def put_path(self, path: Path, cid_version: int = 0) -> str:
        """Store a file or folder on disk and return the CID `ipfs add -r PATH` prints for it."""
        try:
            return str(self.importer(cid_version).path(Path(path)).cid)
        except unixfs.UnixFsError as error:
            raise StoreError(str(error)) from None
        except OSError as error:
            raise StoreError(f"{path}: {error.strerror or error}") from None

    def resolve(self, reference: str) -> CID:
        """The CID a reference (`CID` or `CID/path/in/it`) names; `ContentNotFound` if it is not stored."""
        cid, path = split_reference(reference)
        try:
            return unixfs.resolve(CID.decode(cid), path, self.get_block)
        except unixfs.UnixFsError as error:
            raise NotInDirectory(reference, str(error)) from None

    def has(self, reference: str) -> bool:
        try:
            self.get_block(self.resolve(reference))
        except StoreError:
            return False
        return True

    def is_directory(self, reference: str) -> bool:
        return unixfs.is_directory(self.resolve(reference), self.get_block)

    def list(self, reference: str) -> list[unixfs.Entry]:
        """The entries of the directory `reference` names."""
        try:
            return unixfs.list_directory(self.resolve(reference), self.get_block)
        except unixfs.UnixFsError as error:
            raise NotInDirectory(reference, str(error)) from None

    def get(self, reference: str) -> bytes:
        """The bytes of the file `reference` names: `ContentNotFound` if not stored, `NotInDirectory` if no file."""
        if not isinstance(reference, str) or CID_PATTERN.match(reference.strip()) is None:
            raise ContentNotFound(str(reference))
        try:
            cid = self.resolve(reference)
            return unixfs.read_file(cid, self.get_block)
        except InvalidCid:
            raise ContentNotFound(reference) from None
        except unixfs.UnixFsError as error:
            raise NotInDirectory(reference, str(error)) from None

    def get_input(self, reference: str) -> bytes:
        """What a module reads for `reference`: the file it names, or the `stdout` of a result directory."""
        if self.is_directory(reference):
            names = {entry.name for entry in self.list(reference)}
            if PRIMARY_OUTPUT not in names:
                raise NotInDirectory(reference, f"a directory without {PRIMARY_OUTPUT!r}, not a file")
            reference = f"{reference.rstrip('/')}/{PRIMARY_OUTPUT}"
        return self.get(reference)

    def get_text(self, reference: str, max_bytes: int = MAX_EXPANDED_BYTES) -> str | None:
        """The input `reference` names if it is stored, UTF-8 text and at most `max_bytes` long; else None
        (None too for a result directory with nothing on stdout, such as a picture's: it stays a reference)."""
        try:
            data = self.get_input(reference)
            if not data and self.is_directory(reference):
                return None
        except StoreError:
            return None
        return as_text(data) if len(data) <= max_bytes else None


@dataclass(frozen=True)
class RememberingStore(ContentStore):
    """A view of a ContentStore that keeps every block it read, for one job's params: a join's references read
    the same blocks several times each (is it a directory, list it, read its stdout)."""

    blocks: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)

    def get_block(self, cid: CID) -> bytes:
        key = _key(cid)
        block = self.blocks.get(key)
        if block is None:
            block = self.blocks[key] = super().get_block(cid)
        return block

    def remembering(self) -> RememberingStore:
        return self


def as_text(data: bytes) -> str | None:
    """`data` decoded as UTF-8 if it is text (no control characters other than tab, newline, return)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any((ord(c) < 32 and c not in "\t\n\r") or ord(c) == 127 for c in text):
        return None
    return text


def stored_cids(text: str, store: ContentStore) -> list[str]:
    """Every distinct reference in `text` (CID or CID/path, in order of first appearance) that is in `store`."""
    seen: dict[str, None] = {}
    for match in REFERENCE_PATTERN.finditer(text):
        reference = match.group()
        if reference not in seen and store.has(reference):
            seen[reference] = None
    return list(seen)


@dataclass(frozen=True)
class Expanded:
    """Params with the references to stored text replaced by that text; `cids` are the ones replaced."""

    text: str
    cids: tuple[str, ...]


def expand_cids(
    text: str, store: ContentStore, max_bytes: int = MAX_EXPANDED_BYTES, *, blocks: bool = False
) -> Expanded:
    """Replace each reference in `text` whose stored content is text by that content; others stay as they are.

    With `blocks`, content of several lines is set on lines of its own (a newline is added before it when
    its line already has text before the reference, and after it when text follows), so it keeps its shape.
    """
    store = store.remembering()
    contents = {ref: store.get_text(ref, max_bytes) for ref in stored_cids(text, store)}
    replaced = tuple(ref for ref, content in contents.items() if content is not None)

    def substitute(match: re.Match[str]) -> str:
        content = contents.get(match.group())
        if content is None:
            return match.group()
        if not blocks or "\n" not in content.strip("\r\n"):
            return content
        content = content.strip("\r\n")
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        before = text[line_start : match.start()].strip()
        after = text[match.end() : len(text) if line_end < 0 else line_end].strip()
        return ("\n" if before else "") + content + ("\n" if after else "")

    return Expanded(REFERENCE_PATTERN.sub(substitute, text), replaced)
