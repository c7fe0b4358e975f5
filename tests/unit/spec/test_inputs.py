"""`stepModule.inputs` against Lilypad v2's job creator: what validation accepts arrives as exactly those
Key=Value pairs once the registry splits the params at 0x1e and the service splits each element, and what it
refuses is exactly what the service would drop or split wrongly. On v1 the same inputs are one JSON object."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyhops import spec
from tinyhops.encoding.backends import V1, V2, for_backend
from tinyhops.errors import WorkflowInvalid
from tinyhops.spec import params
from tinyhops.spec.params import Ref, Text

CID = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
SETTINGS = settings(max_examples=200, deadline=None)


def service_inputs(resolved_params: str) -> list[tuple[str, str]] | None:
    """What Lilypad v2 makes of a step's resolved params: the registry splits them at 0x1e into runJob's
    inputs (none for empty params); the job-creator service splits each on every '=' and drops an element that
    does not give exactly two parts. None when it dropped any."""
    if not resolved_params:
        return []
    pairs = []
    for element in resolved_params.split("\x1e"):
        parts = element.split("=")
        if len(parts) != 2:
            return None
        pairs.append((parts[0], parts[1]))
    return pairs


def go_field_name(key: str) -> bool:
    """A name Go's text/template reads after a dot: a letter (unicode.IsLetter) or _, then letters, _ and
    decimal digits (unicode.IsDigit)."""

    def letter(c: str) -> bool:
        return c == "_" or unicodedata.category(c).startswith("L")

    return bool(key) and letter(key[0]) and all(letter(c) or unicodedata.category(c) == "Nd" for c in key[1:])


def document(inputs: dict[str, Any], cmd: str = "cowsay:v0.0.1") -> dict[str, Any]:
    return {
        "version": "v0.0.1",
        "steps": [
            {"stepId": "1", "stepModule": {"cmd": "cowsay:v0.0.1", "params": "first", "cost": "1"}},
            {"stepId": "2", "needs": [], "stepModule": {"cmd": cmd, "inputs": inputs, "cost": "1"}},
        ],
    }


KEYS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,11}", fullmatch=True) | st.text(
    st.characters(categories=["L", "Nd"], include_characters="_"), min_size=1, max_size=8
).filter(go_field_name)
# Literal text: no '{', so no reference but the ones drawn (braces are the params tests' subject).
VALUE_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="=\x1e{"), max_size=20)


@st.composite
def value_templates(draw: st.DrawFn) -> tuple[str, str]:
    """A value template and what it resolves to, step 1's result being CID: text, references, paths after them."""
    source, resolved = "", ""
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):
            path = draw(st.sampled_from(["", "/stdout", "/outputs/image-42.png"]))
            source += "{{stepId:1}}" + path
            resolved += CID + path
        else:
            text = draw(VALUE_TEXT).rstrip("\\")  # a backslash before a reference would escape it
            source += text
            resolved += text
    return source, resolved


def resolved(segments: tuple[params.Segment, ...]) -> str:
    return params.render(segments, {1: CID})


@SETTINGS
@given(st.dictionaries(KEYS, value_templates(), min_size=1, max_size=6))
def test_valid_inputs_reach_the_module_as_exactly_these_key_value_pairs(named: dict[str, tuple[str, str]]) -> None:
    workflow = spec.load(document({key: source for key, (source, _) in named.items()}))
    expected = [(key, value) for key, (_, value) in named.items()]
    on_v2 = for_backend(workflow, V2).step(2)
    assert service_inputs(resolved(on_v2.params)) == expected
    # and each element splits on its first '=' into the same pair, as a reader less strict than the service would
    assert [tuple(e.split("=", 1)) for e in resolved(on_v2.params).split("\x1e")] == expected
    assert on_v2.needs == ((1,) if any(Ref(1) in v for _, v in workflow.step(2).inputs) else ())
    # on v1 the same inputs are one JSON object string, in the file's order
    on_v1 = for_backend(workflow, V1).step(2)
    assert list(json.loads(resolved(on_v1.params)).items()) == expected


@SETTINGS
@given(
    key=st.text(st.characters(codec="utf-8"), max_size=6) | KEYS,
    value=st.text(st.characters(codec="utf-8", exclude_characters="{"), max_size=12)
    | st.sampled_from(["a=b", "=", "x\x1ey", "padding==", "PROMPT=cow", ""]),
)
def test_what_validation_refuses_is_exactly_what_the_service_would_drop_or_split_wrongly(key: str, value: str) -> None:
    arrives_intact = "\x1e" not in key + value and service_inputs(f"{key}={value}") == [(key, value)]
    readable = go_field_name(key)
    try:
        workflow = spec.load(document({key: value}))
    except WorkflowInvalid as invalid:
        assert not (arrives_intact and readable), invalid.problems
        paths = {problem.path for problem in invalid.problems}
        assert paths == {"$.steps[1].stepModule" + spec_path(key)}, invalid.problems
        value_refused = any("the value" in p.message for p in invalid.problems)
        assert value_refused == ("=" in value or "\x1e" in value)
        return
    assert arrives_intact and readable
    assert service_inputs(resolved(for_backend(workflow, V2).step(2).params)) == [(key, value)]


def spec_path(key: str) -> str:
    from tinyhops.errors import json_path

    return ".inputs" + json_path([key])[1:]


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("", "must not be empty"),
        ("a=b", "holds an '='"),
        ("a\x1eb", "holds the byte 0x1e"),
        ("my key", "holds whitespace"),
        ("tab\t", "holds whitespace"),
        ("1st", "not a Go template field name"),
        ("a-b", "not a Go template field name"),
        ("a.b", "not a Go template field name"),
        ("a½", "not a Go template field name"),  # a number (No), not a decimal digit
    ],
)
def test_a_key_a_module_cannot_read_is_refused_with_its_path_and_why(key: str, reason: str) -> None:
    with pytest.raises(WorkflowInvalid) as caught:
        spec.load(document({key: "x"}))
    (problem,) = caught.value.problems
    assert (problem.path, problem.step_id) == ("$.steps[1].stepModule" + spec_path(key), 2)
    assert reason in problem.message and "\n" not in str(problem)


@pytest.mark.parametrize("key", ["Message", "PROMPT", "_x", "é1", "a٣", "Ωmega"])
def test_go_field_names_are_taken(key: str) -> None:
    assert spec.load(document({key: "x"})).step(2).inputs == ((key, (Text("x"),)),)


def test_a_reference_in_a_value_is_a_dependency_and_checked_like_one_in_params() -> None:
    workflow = spec.load(document({"Message": "hi {{stepId:1}}/outputs/image-42.png"}))
    assert workflow.step(2).needs == (1,)
    with pytest.raises(WorkflowInvalid) as caught:
        spec.load(document({"Message": "hi {{stepId:9}}", "Self": "{{stepId:2}}", "Bad": "{{stepId:1x}}"}))
    assert sorted(str(p) for p in caught.value.problems) == [
        "$.steps[1].stepModule.inputs.Bad (step 2): at character 0: malformed reference: expected {{stepId:ID}} with "
        "a step id, a number or a name such as fetch-data (write \\{{stepId: for literal text)",
        "$.steps[1].stepModule.inputs.Message (step 2): the input references step 9, but no step has that id",
        "$.steps[1].stepModule.inputs.Self (step 2): the input references step 2, which is this step itself",
    ]


def test_params_and_inputs_together_or_neither_are_refused() -> None:
    both = document({"Message": "x"})
    both["steps"][1]["stepModule"]["params"] = "y"
    neither = document({})
    del neither["steps"][1]["stepModule"]["inputs"]
    for body, message in (
        (both, 'give "params" (one string) or "inputs" (named values), not both'),
        (neither, '"params" or "inputs" is required and missing'),
    ):
        with pytest.raises(WorkflowInvalid) as caught:
            spec.load(body)
        assert [str(p) for p in caught.value.problems] == [f"$.steps[1].stepModule (step 2): {message}"]


def test_empty_inputs_are_no_inputs_on_v2_and_an_empty_object_on_v1() -> None:
    workflow = spec.load(document({}))
    assert for_backend(workflow, V2).step(2).params == ()
    assert resolved(for_backend(workflow, V1).step(2).params) == "{}"


def test_v1_json_escapes_text_and_keeps_references_inside_strings() -> None:
    workflow = spec.load(document({"Message": 'say "hi"\\ to {{stepId:1}}\n', "Other": "é"}))
    sent = resolved(workflow.step(2).params)
    assert sent == '{"Message": "say \\"hi\\"\\\\ to ' + CID + '\\n", "Other": "é"}'
    assert json.loads(sent) == {"Message": f'say "hi"\\ to {CID}\n', "Other": "é"}
