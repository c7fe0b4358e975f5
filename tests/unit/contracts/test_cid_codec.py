"""CidCodec packs the usual CIDv1 into one word and rebuilds it exactly; anything else is not packed."""

from __future__ import annotations

import cid as pycid
import multihash
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def codec(accounts, project):
    return accounts[0].deploy(project.CidCodecHarness)


def _cid(codec_name: str, digest: bytes) -> str:
    encoded = multihash.Multihash(multihash.Func.sha2_256, digest).encode()
    return pycid.make_cid(1, codec_name, encoded).encode("base32").decode()


@SETTINGS
@given(st.binary(min_size=32, max_size=32), st.sampled_from(["raw", "dag-pb", "dag-cbor"]))
def test_usual_cids_pack_and_expand_exactly(codec, digest: bytes, codec_name: str) -> None:
    text = _cid(codec_name, digest)
    assert len(text) == 59
    multicodec, packed = codec.compress(text)
    assert multicodec == pycid.from_string(text).buffer[1]
    assert bytes(packed) == digest
    assert codec.expand(multicodec, packed) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "JOB_FAILED:boom",
        "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",  # CIDv0, base58
        "BAFKREIBM6JG3UX5QUMHCN2B3FLC3TYU6DMLB4XA7U5BF44YEGNRJHC4YEQ",  # uppercase base32
        "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yer",  # nonzero padding bits
        "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4ye1",  # not base32
        "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4y",  # too short
    ],
)
def test_other_strings_are_not_packed(codec, text: str) -> None:
    assert codec.compress(text)[0] == 0


@SETTINGS
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz234567", min_size=58, max_size=58))
def test_packing_is_exact_whenever_accepted(codec, body: str) -> None:
    text = "b" + body
    multicodec, packed = codec.compress(text)
    if multicodec:
        assert codec.expand(multicodec, packed) == text
