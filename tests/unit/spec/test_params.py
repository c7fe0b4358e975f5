"""Params templates: braces stay verbatim, references parse, the escape is complete and reversible."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import segments_referencing

from tinyhops.encoding import params_segments
from tinyhops.errors import EncodingError, TemplateError
from tinyhops.spec import params
from tinyhops.spec.params import Ref, Text


def test_json_params_stay_verbatim() -> None:
    text = '{"prompt": "a cow", "n": [1, {"x": "}}"}]} {{not a ref}}'
    assert params.parse(text) == (Text(text),)


def test_references_split_text() -> None:
    assert params.parse("a {{stepId:1}}, b {{stepId:22}}") == (
        Text("a "),
        Ref(1),
        Text(", b "),
        Ref(22),
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("\\{{stepId:1}}", (Text("{{stepId:1}}"),)),
        ("\\\\{{stepId:1}}", (Text("\\"), Ref(1))),
        ("\\\\\\{{stepId:1}}", (Text("\\{{stepId:1}}"),)),
        ("a\\b {{stepId:2}}", (Text("a\\b "), Ref(2))),
    ],
)
def test_backslash_escape(source: str, expected: tuple) -> None:
    assert params.parse(source) == expected
    assert params.unparse(expected) == source


@pytest.mark.parametrize(
    "bad",
    [
        "{{stepId:}}",
        "{{stepId:1x}}",
        "{{stepId:-x}}",
        "{{stepId:1}",
        "{{stepId:1",
        "x {{stepId: 1}}",
        "x {{param:}}",
        "{{param:a b}}",
        "{{param:1}}",
    ],
)
def test_malformed_reference_names_its_offset(bad: str) -> None:
    with pytest.raises(TemplateError) as raised:
        params.parse(bad)
    assert str(raised.value).startswith(f"at character {bad.index('{{')}:")


@settings(max_examples=300, deadline=None)
@given(segments_referencing([0, 1, 2**64 - 1]))
def test_unparse_then_parse_is_identity(segments: tuple) -> None:
    assert params.parse(params.unparse(segments)) == segments


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("{}\\stepId:0123 x")), max_size=40))
def test_any_text_parses_or_fails_with_template_error(text: str) -> None:
    try:
        segments = params.parse(text)
    except TemplateError:
        return
    assert params.parse(params.unparse(segments)) == segments


@settings(max_examples=300, deadline=None)
@given(segments_referencing([5, 7, 9]))
def test_codec_round_trips(segments: tuple) -> None:
    ids = [9, 5, 7]
    position = {sid: i for i, sid in enumerate(ids)}
    data = params_segments.encode(segments, position.__getitem__)
    assert len(data) == params_segments.encoded_length(segments)
    assert params_segments.decode(data, ids.__getitem__) == segments


def test_long_text_is_split_into_segments() -> None:
    text = "é" * 40_000
    data = params_segments.encode((Text(text),), lambda _: 0)
    assert params_segments.decode(data, lambda _: 0) == (Text(text),)
    assert int.from_bytes(data[:2], "big") == params_segments.MAX_TEXT_SEGMENT


@pytest.mark.parametrize("data", [b"\x00", b"\x00\x05ab", b"\x00\x00", b"\x00\x01\xff"])
def test_codec_rejects_malformed_bytes(data: bytes) -> None:
    with pytest.raises(EncodingError):
        params_segments.decode(data, lambda _: 0)


def test_render_puts_results_in_place() -> None:
    segments = params.parse('{"image": "{{stepId:1}}"}')
    assert params.render(segments, {1: "bafyX"}) == '{"image": "bafyX"}'


PIECES = ["{{stepId:", "{", "}", "}}", "1", "42", "a", " ", "\\", ":"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=20).map("".join))
def test_the_split_fast_path_parses_as_the_scanner_does(template: str) -> None:
    """`parse` splits templates without escapes with one regular expression; it must agree with the scanner."""
    try:
        expected: object = params.parse_by_scanning(template)
    except TemplateError as exc:
        expected = ("TemplateError", str(exc))
    try:
        got: object = params.parse(template)
    except TemplateError as exc:
        got = ("TemplateError", str(exc))
    assert got == expected
