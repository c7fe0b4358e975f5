"""The catalog's checks of a workflow's steps (tinyhops.catalog.workflow_checks, `validate --catalog`): unknown,
missing and mistyped inputs at their JSON paths and steps, in v1 params and v2 inputs alike; a module the
catalog does not know only warns; the sample workflows the project ships are clean."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli_processes import Finished, tiny_hops
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyhops.catalog import load_catalog
from tinyhops.catalog.workflow_checks import CATALOG_INPUT, UNKNOWN_MODULE, catalog_findings
from tinyhops.cli.exit_codes import ERROR, OK
from tinyhops.paths import PROJECT_ROOT

CATALOG = load_catalog()


def workflow(*modules: dict[str, Any]) -> dict[str, Any]:
    steps = [{"stepId": str(index + 1), "stepModule": {"cost": "5", **module}} for index, module in enumerate(modules)]
    return {"version": "v0.0.1", "steps": steps}


def lines(document: dict[str, Any]) -> tuple[list[str], list[str]]:
    findings = catalog_findings(document, CATALOG)
    return [str(p) for p in findings.errors], [str(p) for p in findings.warnings]


def test_the_shipped_workflows_are_clean() -> None:
    for path in (PROJECT_ROOT / "sample.thops.json", PROJECT_ROOT / "tests/data/original-2023-example.thops.json"):
        assert lines(json.loads(path.read_text())) == ([], []), path


def test_json_params_are_checked_input_by_input() -> None:
    document = workflow(
        {"cmd": "sdxl:v0.9-lilypad1", "params": json.dumps({"promt": "a cow", "seed": -1, "width": "wide"})}
    )
    errors, warnings = lines(document)
    at = "$.steps[0].stepModule.params (step 1)"
    assert errors == [
        f"{at}: sdxl:v0.9-lilypad1 has no input 'promt'; did you mean 'prompt'?",
        f"{at}: sdxl:v0.9-lilypad1 requires input 'prompt', missing from params",
        f"{at}: input 'seed': -1 is less than the minimum of 0",
        f"{at}: input 'width': 'wide' is not of type 'integer'",
    ]
    assert warnings == []


def test_text_params_are_the_text_input_and_an_empty_one_is_refused() -> None:
    errors, _ = lines(workflow({"cmd": "cowsay:v0.0.1", "params": ""}))
    assert errors == ["$.steps[0].stepModule.params (step 1): input 'Message': '' should be non-empty"]
    assert lines(workflow({"cmd": "cowsay:v0.0.1", "params": '{"Message": 1}'})) == ([], [])  # text, as given


def test_v2_inputs_are_strings_read_as_their_type() -> None:
    document = workflow(
        {"cmd": "sdxl:v0.9-lilypad1", "inputs": {"prompt": "a cow", "seed": "seven", "height": "2048", "x": "1"}}
    )
    errors, _ = lines(document)
    assert errors == [
        "$.steps[0].stepModule.inputs.seed (step 1): input 'seed' must be a whole number, not 'seven'",
        "$.steps[0].stepModule.inputs.x (step 1): sdxl:v0.9-lilypad1 has no input 'x' (it takes prompt, seed, width, "
        "height)",
        "$.steps[0].stepModule.inputs.height (step 1): input 'height': 2048 is greater than the maximum of 1024",
    ]


def test_an_unknown_module_is_a_warning_in_a_parallel_group() -> None:
    document = {"version": "v0.0.1", "steps": [[{"stepId": 7, "stepModule": {"cmd": "mystery:v1", "params": ""}}]]}
    findings = catalog_findings(document, CATALOG)
    assert findings.errors == ()
    (warning,) = findings.warnings
    assert (warning.kind, warning.path, warning.step_id) == (UNKNOWN_MODULE, "$.steps[0][0].stepModule.cmd", 7)


@settings(max_examples=100, deadline=None)
@given(
    prompt=st.text(min_size=1, max_size=40),
    seed=st.integers(min_value=0, max_value=2**64 - 1),
    size=st.integers(min_value=64, max_value=1024),
    extra=st.text(min_size=1, max_size=10).filter(lambda key: key not in ("prompt", "seed", "width", "height")),
)
def test_what_fits_the_schema_passes_and_any_other_key_is_named(prompt: str, seed: int, size: int, extra: str) -> None:
    good = {"prompt": prompt, "seed": seed, "width": size}
    assert lines(workflow({"cmd": "sdxl:v0.9-lilypad1", "params": json.dumps(good)})) == ([], [])
    findings = catalog_findings(
        workflow({"cmd": "sdxl:v0.9-lilypad1", "params": json.dumps(good | {extra: 1})}), CATALOG
    )
    assert [p.kind for p in findings.errors] == [CATALOG_INPUT]
    assert repr(extra) in findings.errors[0].message


@settings(max_examples=50, deadline=None)
@given(
    document=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["steps", "stepModule", "cmd", "params", "inputs", "stepId"]), inner, max_size=4
        ),
        max_leaves=20,
    )
)
def test_any_document_is_checked_without_crashing(document: Any) -> None:
    catalog_findings(document, CATALOG)


def test_validate_catalog_reports_input_problems_and_warns_of_unknown_modules(tmp_path: Path) -> None:
    document = workflow({"cmd": "sdxl:v0.9-lilypad1", "params": '{"promt": "x"}'}, {"cmd": "mystery:v1", "params": "a"})
    (tmp_path / "w.thops.json").write_text(json.dumps(document))
    plain = Finished.of(tiny_hops("validate", "w.thops.json", cwd=tmp_path))
    assert plain.code == OK and "warning" not in plain.stdout
    checked = Finished.of(tiny_hops("validate", "--catalog", "w.thops.json", cwd=tmp_path))
    assert checked.code == ERROR
    assert checked.stdout.splitlines() == [
        "w.thops.json: invalid, 2 problems:",
        "  $.steps[0].stepModule.params (step 1): sdxl:v0.9-lilypad1 has no input 'promt'; did you mean 'prompt'?",
        "  $.steps[0].stepModule.params (step 1): sdxl:v0.9-lilypad1 requires input 'prompt', missing from params",
        "  warning: $.steps[1].stepModule.cmd (step 2): module 'mystery:v1' is not in the catalog: its inputs are not "
        "checked",
    ]


def test_an_input_expecting_text_fed_another_media_type_is_reported() -> None:
    document = workflow(
        {"cmd": "sdxl:v0.9-lilypad1", "params": "a cow"},
        {"cmd": "cowsay:v0.0.1", "params": "Look: {{stepId:1}}/outputs/image-42.png"},
        {"cmd": "sdxl:v0.9-lilypad1", "params": json.dumps({"prompt": "{{stepId:2}}/stdout", "seed": 3})},
        {"cmd": "cowsay:v0.0.1", "params": "{{stepId:3}}/outputs/x.png and \\{{stepId:1}}/outputs/image-42.png"},
        {"cmd": "cowsay:v0.0.1", "params": "the picture is at {{stepId:1}}"},
        {"cmd": "sdxl:v0.9-lilypad1", "inputs": {"prompt": "{{stepId:1}}/outputs/image-42.png"}},
    )
    errors, _ = lines(document)
    assert errors == [
        "$.steps[1].stepModule.params (step 2): input 'Message' expects the CID of text/plain, but "
        "{{stepId:1}}/outputs/image-42.png is image/png (sdxl:v0.9-lilypad1)",
        "$.steps[3].stepModule.params (step 4): input 'Message' reads {{stepId:3}}/outputs/x.png, but "
        "sdxl:v0.9-lilypad1 declares no output 'outputs/x.png' (it has outputs/image-42.png, stdout, stderr)",
        "$.steps[5].stepModule.inputs.prompt (step 6): input 'prompt' expects the CID of text/plain, but "
        "{{stepId:1}}/outputs/image-42.png is image/png (sdxl:v0.9-lilypad1)",
    ]
