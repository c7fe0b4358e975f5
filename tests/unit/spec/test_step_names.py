"""Step ids that are names: the derived on-chain id (the rule another contract computes), which strings are
names and which numbers, references and needs by name, and ids that meet on chain reported naming both steps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from Crypto.Hash import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyhops
from tinyhops import errors, spec
from tinyhops.errors import WorkflowInvalid
from tinyhops.spec import params, step_ids

NAMES = st.from_regex(step_ids.NAME, fullmatch=True)


def _keccak(data: bytes) -> bytes:
    """An independent keccak-256 (pycryptodome's, not eth-hash's choice of backend)."""
    return keccak.new(data=data, digest_bits=256).digest()


def step(step_id: Any, params_text: str = "x", **extra: Any) -> dict[str, Any]:
    return {"stepId": step_id, "stepModule": {"cmd": "cowsay:v0.0.1", "params": params_text, "cost": "1"}, **extra}


def workflow(*steps: dict[str, Any]) -> dict[str, Any]:
    return {"version": "v0.0.1", "steps": [list(steps)]}


def problems_of(document: dict[str, Any]) -> list[str]:
    with pytest.raises(WorkflowInvalid) as caught:
        spec.load(document)
    return [str(p) for p in caught.value.problems]


def test_a_name_id_is_the_first_eight_bytes_of_its_keccak() -> None:
    # The rule the README and the schema give, pinned: uint64(bytes8(keccak256(bytes("fetch-data")))).
    assert step_ids.id_of_name("fetch-data") == 1468438686597810953
    assert step_ids.id_of_name("fetch-data") == int.from_bytes(_keccak(b"fetch-data")[:8], "big")
    assert tinyhops.step_id_of_name("fetch-data") == 1468438686597810953  # the SDK's helper


@settings(max_examples=200, deadline=None)
@given(NAMES)
def test_any_name_maps_to_a_stable_uint64_and_round_trips_through_a_reference(name: str) -> None:
    expected = int.from_bytes(_keccak(name.encode())[:8], "big")
    assert step_ids.parse(name) == step_ids.id_of_name(name) == expected < 2**64
    (ref,) = params.parse(f"{{{{stepId:{name}}}}}")
    assert ref == params.Ref(expected) and ref.name == name
    assert params.unparse((ref,)) == f"{{{{stepId:{name}}}}}"
    loaded = spec.load(workflow(step(name), step("other", f"{{{{stepId:{name}}}}}")))
    assert loaded.step(expected).label == name and loaded.labels()[expected] == name


@pytest.mark.parametrize(
    ("written", "expected"),
    [("1", 1), ("007", 7), (7, 7), ("18446744073709551615", 2**64 - 1), ("p_1", step_ids.id_of_name("p_1"))],
)
def test_digits_are_numbers_and_the_rest_names(written: Any, expected: int) -> None:
    loaded = spec.load(workflow(step(written)))
    assert [s.step_id for s in loaded.steps] == [expected]
    assert loaded.steps[0].id_name == (written if isinstance(written, str) and not written.isdigit() else None)


@pytest.mark.parametrize("written", ["1st", "-x", ".x", "a b", "é", "a/b", "x" * 101, ""])
def test_what_is_neither_a_number_nor_a_name_is_refused(written: str) -> None:
    (problem,) = problems_of(workflow(step(written)))
    assert problem.startswith("$.steps[0][0].stepId: a step id is a whole number") and problem.count("\n") == 0


def test_needs_and_references_take_names() -> None:
    loaded = spec.load(
        workflow(
            step("fetch-data"),
            step("p_1", "got {{stepId:fetch-data}}/stdout"),
            step("last", needs=["p_1", "fetch-data"]),
        )
    )
    by_name = {s.label: s for s in loaded.steps}
    assert [s.label for s in loaded.steps] == ["fetch-data", "p_1", "last"]
    assert by_name["p_1"].needs == (step_ids.id_of_name("fetch-data"),)
    assert set(by_name["last"].needs) == {step_ids.id_of_name("p_1"), step_ids.id_of_name("fetch-data")}
    assert by_name["p_1"].params_source == "got {{stepId:fetch-data}}/stdout"


def test_names_and_numbers_mix() -> None:
    loaded = spec.load(workflow(step(1), step("two", "{{stepId:1}}"), step("3", "{{stepId:two}}")))
    assert [s.label for s in loaded.steps] == ["1", "two", "3"]


def test_a_name_whose_id_is_another_steps_number_is_reported_naming_both() -> None:
    number = step_ids.id_of_name("fetch-data")
    assert problems_of(workflow(step(number), step("fetch-data"))) == [
        f"$.steps[0][1].stepId (step fetch-data): step 'fetch-data' has the on-chain id {number}, as has step "
        f"{number} at $.steps[0][0] (a named step's id is uint64(bytes8(keccak256(name)))): rename one of them"
    ]


def test_a_name_twice_is_a_duplicate() -> None:
    assert problems_of(workflow(step("a"), step("a"))) == [
        "$.steps[0][1].stepId (step a): step id 'a' is already used at $.steps[0][0]"
    ]


def test_named_problems_say_the_name() -> None:
    found = problems_of(
        workflow(
            step("fetch-data", "{{stepId:fetch-dat}}"),
            step("loop-a", "{{stepId:loop-b}}"),
            step("loop-b", "{{stepId:loop-a}}"),
            step("me", needs=["me"]),
        )
    )
    assert found == [
        "$.steps[0][0].stepModule.params (step fetch-data): params reference step 'fetch-dat', but no step has "
        "that id; did you mean 'fetch-data'?",
        "$.steps[0][1] (step loop-a): dependency cycle loop-a -> loop-b -> loop-a",
        "$.steps[0][3].needs[0] (step me): needs step 'me', which is this step itself",
    ]


def test_the_schema_says_which_strings_are_names() -> None:
    from tinyhops.spec.document import SCHEMA_PATH

    schema = json.loads(Path(SCHEMA_PATH).read_text())
    described = schema["$defs"]["stepId"]["description"]
    assert (
        "uint64(bytes8(keccak256(bytes(name))))" in described and "any string of only digits is a number" in described
    )
    assert f"^{step_ids.NAME.pattern}$" in [form.get("pattern") for form in schema["$defs"]["stepId"]["oneOf"]]


def test_problem_kinds_stay_those_of_numbers() -> None:
    with pytest.raises(WorkflowInvalid) as caught:
        spec.load(workflow(step("a"), step("a"), step("b", "{{stepId:c}}")))
    assert caught.value.kinds == {errors.DUPLICATE_ID, errors.UNKNOWN_STEP}
