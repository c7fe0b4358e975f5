"""A local content-addressed store: job outputs are kept under their CIDs; params may name earlier outputs.

Files live at `<root>/<last two characters of the CID>/<CID>`; writes go to a temporary file in the same
folder and are moved into place with `os.replace`, so a reader never sees half a file. Reads check that the
bytes still hash to the CID they are stored under.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tinyhops.atomic_file import write_atomically
from tinyhops.errors import ContentCorrupt, ContentNotFound, InvalidCid, StoreError
from tinyhops.provider.cids import cid_of, is_cid

# CIDv1 in base32 (multibase prefix "b"), as `cid_of` prints it: 59 characters.
CID_PATTERN = re.compile(r"(?<![A-Za-z0-9])b[a-z2-7]{58}(?![A-Za-z0-9])")

# Content larger than this is left as its CID when params are expanded.
MAX_EXPANDED_BYTES = 1 << 20


def looks_like_cid(text: str) -> bool:
    """Whether `text` is a whole base32 CIDv1 (pattern and a real parse)."""
    return CID_PATTERN.fullmatch(text) is not None and is_cid(text)


@dataclass(frozen=True)
class ContentStore:
    """Content addressed by CIDv1 (raw, sha2-256, base32) under `root`, which is created on first write."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    def path_of(self, cid: str) -> Path:
        """Where the content of `cid` lives (whether or not it is there)."""
        if not looks_like_cid(cid):
            raise InvalidCid(cid)
        return self.root / cid[-2:] / cid

    def has(self, cid: str) -> bool:
        return looks_like_cid(cid) and self.path_of(cid).is_file()

    def put(self, data: bytes) -> str:
        """Store `data` and return its CID. Storing the same bytes again changes nothing."""
        cid = cid_of(data)
        path = self.path_of(cid)
        if path.is_file() and path.read_bytes() == data:
            return cid
        write_atomically(path, data)
        return cid

    def get(self, cid: str) -> bytes:
        """The bytes stored under `cid`: `ContentNotFound` if none are, `ContentCorrupt` if they changed."""
        if not looks_like_cid(cid):
            raise ContentNotFound(cid)
        try:
            data = self.path_of(cid).read_bytes()
        except FileNotFoundError:
            raise ContentNotFound(cid) from None
        actual = cid_of(data)
        if actual != cid:
            raise ContentCorrupt(cid, actual)
        return data

    def get_text(self, cid: str, max_bytes: int = MAX_EXPANDED_BYTES) -> str | None:
        """The content of `cid` if it is stored, UTF-8 text and at most `max_bytes` long; else None."""
        if not self.has(cid) or self.path_of(cid).stat().st_size > max_bytes:
            return None
        try:
            return as_text(self.get(cid))
        except StoreError:
            return None


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
    """Every distinct CID in `text` (in order of first appearance) whose content is in `store`."""
    seen: dict[str, None] = {}
    for match in CID_PATTERN.finditer(text):
        cid = match.group()
        if cid not in seen and store.has(cid):
            seen[cid] = None
    return list(seen)


@dataclass(frozen=True)
class Expanded:
    """Params with the CIDs of stored text replaced by that text; `cids` are the ones replaced."""

    text: str
    cids: tuple[str, ...]


def expand_cids(
    text: str, store: ContentStore, max_bytes: int = MAX_EXPANDED_BYTES, *, blocks: bool = False
) -> Expanded:
    """Replace each CID in `text` whose stored content is text by that content; other CIDs stay as they are.

    With `blocks`, content of several lines is set on lines of its own (a newline is added before it when
    its line already has text before the CID, and after it when text follows), so it keeps its shape.
    """
    contents = {cid: store.get_text(cid, max_bytes) for cid in stored_cids(text, store)}
    replaced = tuple(cid for cid, content in contents.items() if content is not None)

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

    return Expanded(CID_PATTERN.sub(substitute, text), replaced)
