"""Content identifiers: CIDv1, raw codec, sha2-256, base32 — the 59-character form IPFS and Lilypad print."""

from __future__ import annotations

import cid
import multihash


def cid_of(data: bytes) -> str:
    """The CIDv1 (raw, sha2-256, base32) of `data`, computed with py-cid and pymultihash."""
    digest = multihash.digest(data, "sha2-256").encode()
    return cid.make_cid(1, "raw", digest).encode("base32").decode()


def is_cid(text: str) -> bool:
    """Whether `text` parses as a CID (any version, codec or base)."""
    try:
        cid.from_string(text)
    except (ValueError, KeyError, TypeError):
        return False
    return True
