"""Generated workflows: valid ones normalize and round-trip; mutated ones fail with the matching kind."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import GeneratedWorkflow, dag_workflows, level_workflows, workflows

from tinyhops import encoding, errors, spec
from tinyhops.errors import WorkflowInvalid

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _all_steps(document: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for entry in document["steps"]:
        out.extend(entry if isinstance(entry, list) else [entry])
    return out


@FAST
@given(workflows)
def test_valid_workflows_normalize_to_their_dag(generated: GeneratedWorkflow) -> None:
    workflow = spec.load(generated.document)
    seen: set[int] = set()
    for step in workflow.steps:
        assert set(step.needs) == generated.deps[step.step_id]
        assert set(step.needs) <= seen, "a step is listed before one of its dependencies"
        assert step.params == generated.segments[step.step_id]
        seen.add(step.step_id)
    assert seen == set(generated.ids)


@FAST
@given(workflows)
def test_encoding_round_trips(generated: GeneratedWorkflow) -> None:
    workflow = spec.load(generated.document)
    assert encoding.decode(encoding.encode(workflow)) == workflow
    assert encoding.decode_calldata_arguments(encoding.calldata_arguments(workflow)) == workflow
    for position, definition in enumerate(encoding.encode(workflow)):
        assert all(need < position for need in definition.needs)
        assert list(definition.needs) == sorted(definition.needs)


@FAST
@given(dag_workflows())
def test_normal_form_does_not_depend_on_file_order(generated: GeneratedWorkflow) -> None:
    forward = spec.load(generated.document)
    reordered = copy.deepcopy(generated.document)
    steps = _all_steps(reordered)
    reordered["steps"] = [list(reversed(steps))]
    backward = spec.load(reordered)
    # Ties between ready steps break by file order, so only the order may differ, never the DAG.
    assert _dag(forward) == _dag(backward)


def _dag(workflow: spec.Workflow) -> dict[int, tuple]:
    return {s.step_id: (frozenset(s.needs), s.params, s.cost_wei, s.module, s.retries) for s in workflow.steps}


def _rejected_with(document: dict[str, Any], kind: str) -> WorkflowInvalid:
    with pytest.raises(WorkflowInvalid) as raised:
        spec.load(document)
    assert kind in raised.value.kinds, raised.value.lines()
    return raised.value


@FAST
@given(dag_workflows().filter(lambda g: any(g.deps.values())), st.data())
def test_a_back_edge_is_a_named_cycle(generated: GeneratedWorkflow, data: st.DataObject) -> None:
    child = data.draw(st.sampled_from([s for s, d in generated.deps.items() if d]))
    parent = data.draw(st.sampled_from(sorted(generated.deps[child])))
    document = copy.deepcopy(generated.document)
    body = next(b for b in _all_steps(document) if int(b["stepId"]) == parent)
    body["needs"].append(str(child))
    problem = next(p for p in _rejected_with(document, errors.CYCLE).problems if p.kind == errors.CYCLE)
    assert str(parent) in problem.message and str(child) in problem.message


@FAST
@given(workflows, st.data())
def test_a_dangling_reference_is_rejected(generated: GeneratedWorkflow, data: st.DataObject) -> None:
    missing = data.draw(st.integers(0, 2**64 - 1).filter(lambda i: i not in generated.ids))
    document = copy.deepcopy(generated.document)
    body = data.draw(st.sampled_from(_all_steps(document)))
    if data.draw(st.booleans()):
        body["stepModule"]["params"] += f" {{{{stepId:{missing}}}}}"
    else:
        body.setdefault("needs", []).append(str(missing))
    problem = next(p for p in _rejected_with(document, errors.UNKNOWN_STEP).problems)
    assert str(missing) in problem.message and problem.step_id == int(body["stepId"])


@FAST
@given(workflows.filter(lambda g: len(g.ids) > 1), st.data())
def test_a_duplicate_id_is_rejected(generated: GeneratedWorkflow, data: st.DataObject) -> None:
    document = copy.deepcopy(generated.document)
    first, second = data.draw(st.permutations(_all_steps(document)))[:2]
    second["stepId"] = first["stepId"]
    _rejected_with(document, errors.DUPLICATE_ID)


@FAST
@given(workflows, st.data())
def test_a_self_reference_is_rejected(generated: GeneratedWorkflow, data: st.DataObject) -> None:
    document = copy.deepcopy(generated.document)
    body = data.draw(st.sampled_from(_all_steps(document)))
    if data.draw(st.booleans()):
        body["stepModule"]["params"] = f"{{{{stepId:{body['stepId']}}}}}"
    else:
        body.setdefault("needs", []).append(body["stepId"])
    _rejected_with(document, errors.SELF_REFERENCE)


@FAST
@given(workflows, st.data(), st.sampled_from(["0", "0.0", "0 wei", "1 florins", "0.5 wei", "1e3", "", -1, True]))
def test_a_bad_cost_is_rejected(generated: GeneratedWorkflow, data: st.DataObject, cost: Any) -> None:
    document = copy.deepcopy(generated.document)
    body = data.draw(st.sampled_from(_all_steps(document)))
    body["stepModule"]["cost"] = cost
    with pytest.raises(WorkflowInvalid) as raised:
        spec.load(document)
    assert raised.value.kinds & {errors.BAD_COST, errors.SCHEMA}
    assert all(".stepModule.cost" in p.path for p in raised.value.problems)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@FAST
@given(st.one_of(JSON, level_workflows().map(lambda g: g.document)), st.data())
def test_arbitrary_json_is_accepted_or_rejected_never_crashes(document: Any, data: st.DataObject) -> None:
    if isinstance(document, dict) and document.get("steps") and data.draw(st.booleans()):
        steps = _all_steps(document)
        victim = data.draw(st.sampled_from(steps))
        victim[data.draw(st.sampled_from(["stepId", "stepModule", "needs", "retries"]))] = data.draw(JSON)
    try:
        spec.load(document)
    except WorkflowInvalid as exc:
        assert all(str(p) and "\n" not in str(p) for p in exc.problems)


@FAST
@given(
    st.one_of(JSON, level_workflows().map(lambda g: g.document), dag_workflows().map(lambda g: g.document)), st.data()
)
def test_the_compiled_schema_validator_agrees_with_the_python_one(document: Any, data: st.DataObject) -> None:
    """jsonschema-rs answers whether a document is valid; jsonschema explains why not. They must agree."""
    from tinyhops.spec import document as reader

    if isinstance(document, dict) and document.get("steps") and data.draw(st.booleans()):
        victim = data.draw(st.sampled_from(_all_steps(document)))
        victim[data.draw(st.sampled_from(["stepId", "stepModule", "needs", "retries", "timeout", "x"]))] = data.draw(
            JSON
        )
    python_says = not any(True for _ in reader._validator().iter_errors(document))
    assert reader.schema_accepts(document) == python_says
