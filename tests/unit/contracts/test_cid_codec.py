"""CidCodec accepts exactly the CIDs Lilypad prints (CIDv0, lowercase base32 CIDv1 of any one- or two-byte codec,
sha2-256), packs each into one word and rebuilds it byte for byte; everything else is refused."""

from __future__ import annotations

import base64
import hashlib

import base58
import cid as pycid
import multihash
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinyhops.provider.cids import result_form

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FORM_V0 = 0x8000
# Any digest but all zeros, which no content has and the registry refuses (a zero slot means "no job").
DIGESTS = st.binary(min_size=32, max_size=32).filter(any)
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
DIGEST = hashlib.sha256(b"tiny hops").digest()


@pytest.fixture(scope="module")
def codec(accounts, project):
    return accounts[0].deploy(project.CidCodecHarness)


def varint(value: int) -> bytes:
    out = b""
    while value >= 0x80:
        out += bytes([(value & 0x7F) | 0x80])
        value >>= 7
    return out + bytes([value])


def v1(codec_number: int, digest: bytes, hash_prefix: bytes = b"\x12\x20", version: bytes = b"\x01") -> str:
    """A CIDv1 in lowercase base32 (multibase "b"), built byte by byte."""
    raw = version + varint(codec_number) + hash_prefix + digest
    return "b" + base64.b32encode(raw).decode().rstrip("=").lower()


def v0(digest: bytes) -> str:
    return base58.b58encode(b"\x12\x20" + digest).decode()


@SETTINGS
@given(DIGESTS, st.sampled_from(["raw", "dag-pb", "dag-cbor", "libp2p-key", "git-raw"]))
def test_cidv1_with_a_one_byte_codec_packs_and_expands_exactly(codec, digest: bytes, codec_name: str) -> None:
    encoded = multihash.Multihash(multihash.Func.sha2_256, digest).encode()
    text = pycid.make_cid(1, codec_name, encoded).encode("base32").decode()
    assert len(text) == 59
    form, packed = codec.compress(text)
    assert form == pycid.from_string(text).buffer[1]
    assert bytes(packed) == digest
    assert codec.expand(form, packed) == text


@SETTINGS
@given(DIGESTS, st.integers(0x80, 0x3FFF))
def test_cidv1_with_a_two_byte_codec_packs_and_expands_exactly(codec, digest: bytes, codec_number: int) -> None:
    text = v1(codec_number, digest)
    assert len(text) == 61
    form, packed = codec.compress(text)
    assert (form, bytes(packed)) == (codec_number, digest)
    assert codec.expand(form, packed) == text


@SETTINGS
@given(DIGESTS)
def test_cidv0_packs_and_expands_exactly(codec, digest: bytes) -> None:
    text = v0(digest)
    assert len(text) == 46 and text.startswith("Qm")
    assert pycid.from_string(text).version == 0
    form, packed = codec.compress(text)
    assert (form, bytes(packed)) == (FORM_V0, digest)
    assert codec.expand(form, packed) == text


def test_known_values(codec) -> None:
    # `ipfs add` of "hello world\n" (CIDv0), and its raw-leaf CIDv1, as kubo prints them.
    for text in (
        "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
        "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4",
    ):
        form, packed = codec.compress(text)
        assert form and codec.expand(form, packed) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "JOB_FAILED:boom",
        "hello, world",
        v1(0x55, DIGEST).upper(),  # uppercase base32 (multibase "B")
        "B" + v1(0x55, DIGEST)[1:],
        v1(0x55, DIGEST)[:-1] + "r",  # nonzero padding bits
        v1(0x55, DIGEST)[:-1] + "1",  # not base32
        v1(0x55, DIGEST)[:-2],  # too short
        v1(0x55, DIGEST) + "a",  # too long
        v1(0x0129, DIGEST)[:-1] + "b",  # two-byte codec, nonzero padding bits
        v1(0x00, DIGEST),  # identity codec
        v1(0x55, DIGEST, version=b"\x02"),  # CID version 2
        v1(0x55, DIGEST, version=b"\x00"),
        v1(0x55, DIGEST[:31], hash_prefix=b"\x12\x1f"),  # wrong digest length
        v1(0x55, DIGEST, hash_prefix=b"\x16\x20"),  # sha3-256
        "b" + base64.b32encode(b"\x01\x80\x00\x12\x20" + DIGEST).decode().rstrip("=").lower(),  # overlong varint
        "b" + base64.b32encode(b"\x01\xd5\x80\x12\x20" + DIGEST).decode().rstrip("=").lower(),  # unfinished varint
        "z" + base58.b58encode(b"\x01\x55\x12\x20" + DIGEST).decode(),  # base58 CIDv1
        v0(DIGEST)[:-1] + "0",  # not base58
        v0(DIGEST)[:-1] + "l",
        "Rm" + v0(DIGEST)[2:],  # not a sha2-256 multihash
        "1" * 46,
        base58.b58encode(b"\x12\x20" + DIGEST[:31] + b"\x00" * 2).decode(),  # 47 characters
        "Qm" + "\u00e9" * 22,  # 46 bytes, not ASCII
        "b" + "\u00e9" * 29,  # 59 bytes, not ASCII
    ],
)
def test_anything_else_is_refused(codec, text: str) -> None:
    assert codec.compress(text)[0] == 0


@SETTINGS
@given(st.text(alphabet=BASE58, min_size=46, max_size=46))
def test_a_46_character_text_is_accepted_only_if_it_round_trips(codec, text: str) -> None:
    form, packed = codec.compress(text)
    if form:
        assert form == FORM_V0 and codec.expand(form, packed) == text
        assert base58.b58decode(text)[:2] == b"\x12\x20"
    else:
        assert len(base58.b58decode(text)) != 34 or base58.b58decode(text)[:2] != b"\x12\x20"


@SETTINGS
@given(st.sampled_from([58, 60]).flatmap(lambda n: st.text(alphabet=BASE32, min_size=n, max_size=n)))
def test_a_base32_text_is_accepted_only_if_it_round_trips(codec, body: str) -> None:
    text = "b" + body
    form, packed = codec.compress(text)
    if form:
        assert codec.expand(form, packed) == text


@SETTINGS
@given(
    st.one_of(
        DIGESTS.map(v0),
        st.tuples(st.integers(1, 0x3FFF), DIGESTS).map(lambda t: v1(*t)),
        st.text(max_size=70),
        st.text(alphabet=BASE58, min_size=45, max_size=47),
        st.text(alphabet=BASE32, min_size=57, max_size=61).map(lambda body: "b" + body),
    )
)
def test_the_python_mirror_agrees_with_the_contract(codec, text: str) -> None:
    assert result_form(text) == codec.compress(text)[0], text


@pytest.mark.parametrize("make", [v0, lambda digest: v1(0x55, digest), lambda digest: v1(0x0129, digest)])
def test_an_all_zero_digest_is_refused(codec, make) -> None:
    """No content has it, and a result's slot must never read as "no job": refused in every form."""
    text = make(bytes(32))
    assert codec.compress(text) == (0, bytes(32))
    assert result_form(text) == 0
