"""Workflow parameters: declared with a type (and a default, a description, an enum), used as {{param:NAME}} in
params and inputs, given as values or as command-line text; resolved into plain, literal text before anything
else reads the steps; every way to get one wrong is one problem naming its JSON path."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyhops import errors, spec
from tinyhops.errors import WorkflowInvalid
from tinyhops.spec import parameters, params

DECLARED = {
    "text": {"type": "string", "description": "Free text."},
    "count": {"type": "integer", "default": 2},
    "ratio": {"type": "number", "default": 0.5},
    "loud": {"type": "boolean", "default": False},
    "animal": {"type": "string", "enum": ["cow", "sheep"], "default": "cow"},
}


def document(template: str = "{{param:text}}", declared: dict[str, Any] | None = None, **module: Any) -> dict:
    body = {"cmd": "cowsay:v0.0.1", "params": template, "cost": "1", **module}
    return {
        "version": "v0.0.1",
        "parameters": DECLARED if declared is None else declared,
        "steps": [{"stepId": "say", "stepModule": body}],
    }


def params_of(given_values: dict[str, Any], template: str) -> str:
    return spec.load(document(template), parameters=given_values).steps[0].params_source


def problems_of(doc: dict[str, Any], given_values: dict[str, Any] | None = None) -> list[str]:
    with pytest.raises(WorkflowInvalid) as caught:
        spec.load(doc, parameters=given_values)
    assert all(p.kind in (errors.BAD_PARAMETER, errors.SCHEMA) for p in caught.value.problems)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("given_values", "expected"),
    [
        ({"text": "moo"}, "moo 2 0.5 false cow"),
        ({"text": "", "count": "-7", "ratio": "1e3", "loud": "true", "animal": "sheep"}, " -7 1000 true sheep"),
        ({"text": "x", "count": 9, "ratio": 3, "loud": True}, "x 9 3 true cow"),
        ({"text": "x", "count": 4.0, "ratio": "2"}, "x 4 2 false cow"),
    ],
)
def test_values_are_typed_then_written_as_text(given_values: dict[str, Any], expected: str) -> None:
    template = "{{param:text}} {{param:count}} {{param:ratio}} {{param:loud}} {{param:animal}}"
    assert params_of(given_values, template) == expected


def test_the_workflow_keeps_the_values_it_was_resolved_with() -> None:
    loaded = spec.load(document(), parameters={"text": "hi", "count": "3"})
    assert dict(loaded.parameters) == {"text": "hi", "count": 3, "ratio": 0.5, "loud": False, "animal": "cow"}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_a_value_is_literal_text_even_when_it_looks_like_a_reference(value: str) -> None:
    (segment,) = spec.load(document("{{param:text}}"), parameters={"text": value or "x"}).steps[0].params
    assert segment == params.Text(value or "x")


def test_a_value_is_never_a_reference() -> None:
    loaded = spec.load(document("a {{param:text}} b"), parameters={"text": "{{stepId:say}} \\{{param:x}}"})
    assert loaded.steps[0].params == (params.Text("a {{stepId:say}} \\{{param:x}} b"),)
    assert loaded.steps[0].needs == ()


def test_inputs_take_parameters() -> None:
    doc = document(declared=DECLARED)
    module = doc["steps"][0]["stepModule"]
    del module["params"]
    module["inputs"] = {"Message": "{{param:animal}} says {{param:text}}"}
    loaded = spec.load(doc, parameters={"text": "moo"})
    assert loaded.steps[0].inputs == (("Message", (params.Text("cow says moo"),)),)


def test_an_escaped_marker_is_literal() -> None:
    assert params_of({"text": "x"}, "\\{{param:text}} {{param:text}}") == "\\{{param:text}} x"
    assert spec.load(document("\\{{param:text}}"), parameters={"text": "x"}).steps[0].params == (
        params.Text("{{param:text}}"),
    )


def test_a_document_without_parameters_is_read_as_it_is() -> None:
    plain = {"version": "v0.0.1", "steps": [{"stepId": 1, "stepModule": {"cmd": "c:v1", "params": "x", "cost": "1"}}]}
    resolved, values, found = parameters.resolve(plain)
    assert resolved is plain and values == {} and found == []


@pytest.mark.parametrize(
    ("given_values", "expected"),
    [
        ({}, ["$.parameters.text: parameter 'text' has no default and is not given (give it: --param text=VALUE)"]),
        (
            {"text": "x", "cuont": "3"},
            ["$.parameters: parameter 'cuont' is given but not declared (declared: text, count, ratio, loud, animal)"],
        ),
        ({"text": 5}, ["$.parameters.text: parameter 'text' is a string; not 5"]),
        ({"text": "x", "count": "2.5"}, ["$.parameters.count: parameter 'count' is a whole number; not \"2.5\""]),
        ({"text": "x", "count": True}, ["$.parameters.count: parameter 'count' is a whole number; not true"]),
        ({"text": "x", "ratio": "nan"}, ["$.parameters.ratio: parameter 'ratio' is a number; not \"nan\""]),
        ({"text": "x", "loud": "yes"}, ["$.parameters.loud: parameter 'loud' is true or false; not \"yes\""]),
        (
            {"text": "x", "animal": "goat"},
            ['$.parameters.animal: parameter \'animal\' is one of "cow", "sheep"; not "goat"'],
        ),
    ],
)
def test_each_wrong_value_is_one_problem_at_its_path(given_values: dict[str, Any], expected: list[str]) -> None:
    assert problems_of(document("{{param:text}}"), given_values) == expected


def test_an_undeclared_parameter_in_a_template_is_reported_at_the_template() -> None:
    assert problems_of(document("{{param:txet}}"), {"text": "x"}) == [
        "$.steps[0].stepModule.params (step say): {{param:txet}} names no parameter the workflow declares in "
        "$.parameters (declared: animal, count, loud, ratio, text)"
    ]
    bare = document("{{param:text}}")
    del bare["parameters"]
    assert problems_of(bare) == [
        "$.steps[0].stepModule.params (step say): {{param:text}} names no parameter the workflow declares in "
        "$.parameters"
    ]


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ({"n": {"type": "integer", "default": "3"}}, "$.parameters.n.default: must be a whole number, not the string"),
        ({"n": {"type": "int"}}, "$.parameters.n.type: "),
        ({"n": {"type": "string", "enum": ["a", 1], "default": "a"}}, "$.parameters.n.enum[1]: must be a string, not"),
        (
            {"n": {"type": "string", "deflt": "x", "default": "y"}},
            '$.parameters.n.deflt: unknown property "deflt" (known here: type, default',
        ),
        ({"a b": {"type": "string"}}, "$.parameters"),
        ({"n": {"type": "string", "enum": ["a"], "default": "b"}}, '$.parameters.n.default: the default "b" is not'),
    ],
)
def test_a_declaration_that_does_not_hold_is_reported(declared: dict[str, Any], expected: str) -> None:
    found = problems_of(document("x", declared))
    assert len(found) == 1 and found[0].startswith(expected), found


def test_a_parameter_given_to_a_workflow_without_any_is_reported() -> None:
    plain = {"version": "v0.0.1", "steps": [{"stepId": 1, "stepModule": {"cmd": "c:v1", "params": "x", "cost": "1"}}]}
    assert problems_of(plain, {"x": "1"}) == ["$.parameters: parameter 'x' is given but not declared (declared: none)"]


def test_resolved_values_still_meet_the_limits() -> None:
    doc = document(declared={"big": {"type": "string"}})
    with pytest.raises(WorkflowInvalid) as caught:
        spec.load(
            doc | {"steps": [{"stepId": 1, "stepModule": {"cmd": "c:v1", "params": "{{param:big}}", "cost": "1"}}]},
            parameters={"big": "x" * 9000},
        )
    assert [p.kind for p in caught.value.problems] == [errors.LIMIT]
