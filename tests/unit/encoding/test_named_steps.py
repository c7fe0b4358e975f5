"""Named steps on the way to the chain: numeric workflows encode byte for byte as before names and parameters
existed (the encoder's recorded output, `tests/data/numeric-encoding.json`, recorded again when StepDefinition
gained `cacheable`, one more word in every step's tuple, and unchanged by names and parameters); a workflow
whose steps are named encodes exactly as its twin written with the derived numbers; a parameterised workflow
as its twin with the values written in."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numeric_documents import SEEDS, document
from strategies import workflows

from tinyhops import spec
from tinyhops.encoding.backends import for_backend
from tinyhops.encoding.submit_arguments import calldata_arguments, decode_calldata_arguments
from tinyhops.errors import WorkflowInvalid
from tinyhops.paths import PROJECT_ROOT
from tinyhops.spec import step_ids

RECORDED = json.loads((PROJECT_ROOT / "tests" / "data" / "numeric-encoding.json").read_text())
FILES = ["sample.thops.json", "tests/data/original-2023-example.thops.json", "examples/cow-meme-av.thops.json"]
NAMES = st.from_regex(step_ids.NAME, fullmatch=True)


def _digests(workflow: spec.Workflow) -> dict[str, str | None]:
    found: dict[str, str | None] = {"v1": hashlib.sha256(calldata_arguments(for_backend(workflow, "v1"))).hexdigest()}
    try:
        found["v2"] = hashlib.sha256(calldata_arguments(for_backend(workflow, "v2"))).hexdigest()
    except WorkflowInvalid:
        found["v2"] = None
    return found


@pytest.mark.parametrize(
    ("label", "source"),
    [*((f"seed {seed}", document(seed)) for seed in SEEDS), *((name, PROJECT_ROOT / name) for name in FILES)],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_numeric_workflows_encode_as_the_encoder_did_before_names(label: str, source: Any) -> None:
    recorded = RECORDED[label]
    if "invalid" in recorded:  # a malformed reference then; still not a workflow
        with pytest.raises(WorkflowInvalid):
            spec.load(source)
        return
    assert _digests(spec.load(source)) == recorded


def _renamed(document: dict[str, Any], written: dict[int, int | str]) -> dict[str, Any]:
    """The document with every step id `written` maps (ids, needs and references) written as its value."""
    from tinyhops.spec import params

    def ref(segment: params.Segment) -> params.Segment:
        if not isinstance(segment, params.Ref):
            return segment
        new = written[segment.step_id]
        return params.Ref(step_ids.parse(new), new if isinstance(new, str) else None)

    copy = json.loads(json.dumps(document))
    for entry in copy["steps"]:
        for step in entry if isinstance(entry, list) else [entry]:
            step["stepId"] = str(written[step_ids.parse(step["stepId"])])
            if "needs" in step:
                step["needs"] = [str(written[step_ids.parse(need)]) for need in step["needs"]]
            module = step["stepModule"]
            module["params"] = params.unparse(map(ref, params.parse(module["params"])))
    return copy


@settings(max_examples=60, deadline=None)
@given(workflows, st.data())
def test_named_steps_encode_as_their_derived_numbers(generated: Any, data: st.DataObject) -> None:
    names = data.draw(st.lists(NAMES, min_size=len(generated.ids), max_size=len(generated.ids), unique=True))
    numeric = _renamed(
        generated.document, {old: step_ids.id_of_name(new) for old, new in zip(generated.ids, names, strict=True)}
    )
    named = _renamed(generated.document, dict(zip(generated.ids, names, strict=True)))
    as_numbers, as_names = spec.load(numeric), spec.load(named)
    assert calldata_arguments(as_names) == calldata_arguments(as_numbers)
    assert {s.step_id: s.id_name for s in as_names.steps} == {step_ids.id_of_name(n): n for n in names}
    assert decode_calldata_arguments(calldata_arguments(as_names)) == as_numbers


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=30), st.integers(-(10**30), 10**30), st.booleans())
def test_parameters_encode_as_their_values_written_in(message: str, count: int, loud: bool) -> None:
    """A value is literal text, whatever it holds (`{{stepId:` included): the twin escapes it as params do."""
    from tinyhops.spec import params

    template = {"version": "v0.0.1", "steps": []}
    declared = {
        "message": {"type": "string"},
        "count": {"type": "integer", "default": 0},
        "loud": {"type": "boolean", "default": False},
    }
    steps = [
        {
            "stepId": "say",
            "stepModule": {"cmd": "cowsay:v0.0.1", "params": "{{param:message}} x{{param:count}}", "cost": "1"},
        },
        {
            "stepId": "again",
            "stepModule": {
                "cmd": "cowsay:v0.0.1",
                "params": "{{stepId:say}} {{param:loud}}{{param:message}}",
                "cost": "1",
            },
        },
    ]
    written = params.unparse((params.Text(message),))
    twin_steps = json.loads(json.dumps(steps))
    twin_steps[0]["stepModule"]["params"] = f"{written} x{count}"
    twin_steps[1]["stepModule"]["params"] = "{{stepId:say}} " + ("true" if loud else "false") + written
    resolved = spec.load(
        {**template, "parameters": declared, "steps": steps},
        parameters={"message": message, "count": str(count), "loud": "true" if loud else "false"},
    )
    twin = spec.load({**template, "steps": twin_steps})
    assert calldata_arguments(resolved) == calldata_arguments(twin)
    assert dict(resolved.parameters) == {"message": message, "count": count, "loud": loud}


def test_the_recorded_output_covers_valid_and_v2_workflows() -> None:
    """The comparison is not vacuous: most recorded workflows are valid, and many travel to Lilypad v2 too."""
    valid = [entry for entry in RECORDED.values() if "invalid" not in entry]
    assert len(valid) >= 50 and sum(entry["v2"] is not None for entry in valid) >= 25


def test_the_recorded_files_exist() -> None:
    assert all(Path(PROJECT_ROOT / name).is_file() for name in FILES)
