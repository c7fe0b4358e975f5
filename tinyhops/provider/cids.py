"""Content identifiers of single blocks, and which CIDs the registry accepts as a job's result.

`cid_of` is the raw CIDv1 (sha2-256, base32) of some bytes: what `ipfs add --cid-version=1` prints for a file
of one chunk. The UnixFS CIDs of files and directories (what a job answers) are `tinyhops.provider.unixfs`'s.
"""

from __future__ import annotations

import base64
import hashlib

import base58
import cid
import multihash


def cid_of(data: bytes) -> str:
    """The CIDv1 (raw, sha2-256, base32) of `data`, computed with py-cid and pymultihash."""
    digest = multihash.digest(data, "sha2-256").encode()
    return cid.make_cid(1, "raw", digest).encode("base32").decode()


def cid_v0_of(data: bytes) -> str:
    """A CIDv0-shaped id (base58btc, "Qm…") over the sha2-256 of `data` as they are: the shape and size of the
    dataId Lilypad's job creator reports, for tests and the gas bench (not the UnixFS CID of `data`)."""
    return base58.b58encode(bytes(SHA2_256_PREFIX) + hashlib.sha256(data).digest()).decode()


def is_cid(text: str) -> bool:
    """Whether `text` parses as a CID (any version, codec or base)."""
    try:
        cid.from_string(text)
    except (ValueError, KeyError, TypeError):
        return False
    return True


SHA2_256_PREFIX = b"\x12\x20"

# What the registry accepts as a job's result (contracts/libraries/CidCodec.sol), mirrored here so that
# clients and tests can tell in advance: a CIDv0, or a lowercase base32 CIDv1 whose codec is a one- or
# two-byte varint, both with a sha2-256 multihash. 0 means refused; FORM_V0 a CIDv0; else the CIDv1's codec.
FORM_V0 = 0x8000
BASE32_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz234567")


def result_form(text: str) -> int:
    """How the registry packs `text` as a result (see CidCodec.sol); 0 when it refuses it as not a CID
    (an all-zero digest included: no content has it, and the registry keeps a zero slot for "no job")."""
    if len(text) == 46 and text.isascii():
        try:
            raw = base58.b58decode(text)
        except ValueError:
            return 0
        ok = len(raw) == 34 and raw.startswith(SHA2_256_PREFIX) and base58.b58encode(raw).decode() == text
        return FORM_V0 if ok and any(raw[2:]) else 0
    if len(text) not in (59, 61) or text[0] != "b" or not BASE32_LOWER.issuperset(text[1:]):
        return 0
    body = text[1:]
    raw = base64.b32decode(body.upper() + "=" * (-len(body) % 8))
    if base64.b32encode(raw).decode().rstrip("=").lower() != body or raw[0] != 0x01:
        return 0
    if len(raw) == 36:
        codec, rest = raw[1], raw[2:]
        valid = 0 < codec < 0x80
    else:
        codec, rest = (raw[1] & 0x7F) | (raw[2] << 7), raw[3:]
        valid = raw[1] >= 0x80 and 0 < raw[2] < 0x80
    return codec if valid and rest[:2] == SHA2_256_PREFIX and len(rest) == 34 and any(rest[2:]) else 0
