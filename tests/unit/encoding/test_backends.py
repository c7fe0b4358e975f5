"""A workflow laid out per backend: v1 as written; v2 with its modules' v2 names, params-only steps passed as
the module's main input (the table in tinyhops/encoding/v2_modules.py), and every step given a timeout."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tinyhops import spec
from tinyhops.encoding import v2_modules
from tinyhops.encoding.backends import V1, V2, V2_DEFAULT_TIMEOUT, for_backend
from tinyhops.encoding.submit_arguments import calldata_arguments, encode
from tinyhops.errors import EncodingError, WorkflowInvalid
from tinyhops.paths import PROJECT_ROOT
from tinyhops.spec.params import Ref, Text

SAMPLE = PROJECT_ROOT / "sample.thops.json"
LILYPAD_TOTAL_TIMEOUT = 7_200  # the job creator's own limit for a job (shared/LILYPAD.md)


def one_step(module: dict[str, Any], **step: Any) -> dict[str, Any]:
    return {"version": "v0.0.1", "steps": [{"stepId": "1", "stepModule": {"cost": "1", **module}, **step}]}


def test_the_sample_on_v2_is_key_value_inputs_of_v2_modules_with_timeouts() -> None:
    laid_out = for_backend(spec.load(SAMPLE), V2)
    assert [(s.step_id, s.module, s.params, s.timeout) for s in laid_out.steps] == [
        (1, "cowsay:v0.0.4", (Text("Message=Hello from Tiny Hops"),), V2_DEFAULT_TIMEOUT),
        (
            2,
            "sdxl-pipeline:v0.9-base-lilypad1",
            (Text("Prompt=a cow jumping over the moon, pop art\x1eSeed=42"),),
            600,  # the file's own timeout is kept
        ),
        (3, "cowsay:v0.0.4", (Text("Message=The first cow said: "), Ref(1)), V2_DEFAULT_TIMEOUT),
        (4, "cowsay:v0.0.4", (Text("Message=Picture "), Ref(2), Text(" captioned by "), Ref(3)), V2_DEFAULT_TIMEOUT),
    ]
    assert laid_out.backend == V2 and [s.name for s in laid_out.steps] == ["greet", "picture", "quote", "caption"]


def test_v1_is_the_workflow_as_written_byte_for_byte() -> None:
    workflow = spec.load(SAMPLE)
    assert calldata_arguments(for_backend(workflow, V1)) == calldata_arguments(workflow)
    assert encode(for_backend(workflow, V1)) == encode(workflow)


def test_the_default_timeout_is_no_shorter_than_lilypads_own_and_the_schema_says_it() -> None:
    assert V2_DEFAULT_TIMEOUT >= LILYPAD_TOTAL_TIMEOUT
    described = spec.schema()["$defs"]["step"]["properties"]["timeout"]["description"]
    assert f"gets {V2_DEFAULT_TIMEOUT}" in described
    for given in (1, 600, 86_400):
        assert (
            for_backend(spec.load(one_step({"cmd": "cowsay:v0.0.1", "params": "x"}, timeout=given)), V2)
            .steps[0]
            .timeout
            == given
        )
    assert for_backend(spec.load(one_step({"cmd": "cowsay:v0.0.1", "params": "x"})), V1).steps[0].timeout == 0


def test_laying_out_twice_is_laying_out_once_and_v2_cannot_go_back() -> None:
    once = for_backend(spec.load(SAMPLE), V2)
    assert for_backend(once, V2) is once
    with pytest.raises(EncodingError, match="laid out for Lilypad v2 cannot be laid out for v1"):
        for_backend(once, V1)
    with pytest.raises(EncodingError, match="unknown Lilypad backend 'v3'"):
        for_backend(spec.load(SAMPLE), "v3")


@pytest.mark.parametrize(
    ("cmd", "v2_name", "primary"),
    [
        ("cowsay:v0.0.1", "cowsay:v0.0.4", "Message"),
        ("cowsay:v0.0.4", "cowsay:v0.0.4", "Message"),
        ("lilysay:0.5.2", "lilysay:0.5.2", "Message"),
        ("sdxl:v0.9-lilypad1", "sdxl-pipeline:v0.9-base-lilypad1", "Prompt"),
        ("github.com/noryev/module-sdxl-ipfs:main", "github.com/noryev/module-sdxl-ipfs:main", "prompt"),
    ],
)
def test_the_table_names_each_modules_v2_name_and_main_input(cmd: str, v2_name: str, primary: str) -> None:
    assert v2_modules.MODULES[cmd] == v2_modules.MODULES[v2_name]  # a v2 name is in the table as itself
    (step,) = for_backend(spec.load(one_step({"cmd": cmd, "params": "a cow"})), V2).steps
    assert (step.module, step.params) == (v2_name, (Text(f"{primary}=a cow"),))


def test_sdxl_json_params_of_prompt_and_seed_become_their_inputs_and_anything_else_the_prompt() -> None:
    def sent(params: str) -> tuple[Any, ...]:
        return for_backend(spec.load(one_step({"cmd": "sdxl:v0.9-lilypad1", "params": params})), V2).steps[0].params

    assert sent('{"prompt": "a moon"}') == (Text("Prompt=a moon"),)
    assert sent('{"seed": 7, "prompt": "a moon"}') == (Text("Seed=7\x1ePrompt=a moon"),)
    for not_fields in ('{"prompt": "a moon", "width": 64}', '{"prompt": "a", "seed": true}', "[1]", "{}"):
        assert sent(not_fields) == (Text(f"Prompt={not_fields}"),)


def test_a_module_outside_the_table_needs_inputs_on_v2_and_says_so_in_one_line() -> None:
    document = one_step({"cmd": "deterministic_wasm:v0.0.1", "params": "QmX"})
    with pytest.raises(WorkflowInvalid) as caught:
        for_backend(spec.load(document), V2, "wasm.thops.json")
    assert caught.value.lines() == [
        "wasm.thops.json: $.steps[0].stepModule.params (step 1): module 'deterministic_wasm:v0.0.1' has no main "
        "input known for Lilypad v2 (tinyhops/encoding/v2_modules.py): give its stepModule.inputs instead of params"
    ]
    with_inputs = one_step({"cmd": "deterministic_wasm:v0.0.1", "inputs": {"Program": "QmX"}})
    (step,) = for_backend(spec.load(with_inputs), V2).steps
    assert (step.module, step.params) == ("deterministic_wasm:v0.0.1", (Text("Program=QmX"),))
    empty = one_step({"cmd": "deterministic_wasm:v0.0.1", "params": ""})
    assert for_backend(spec.load(empty), V2).steps[0].params == ()  # no params: no inputs, any module


def test_params_the_job_creator_would_drop_are_refused_on_v2_only_naming_every_step() -> None:
    document = {
        "version": "v0.0.1",
        "steps": [
            {"stepId": "1", "stepModule": {"cmd": "cowsay:v0.0.1", "params": "base64 padding==", "cost": "1"}},
            {"stepId": "2", "stepModule": {"cmd": "cowsay:v0.0.1", "params": "split\x1ehere", "cost": "1"}},
            {"stepId": "3", "stepModule": {"cmd": "sdxl:v0.9-lilypad1", "params": '{"prompt": "x=y"}', "cost": "1"}},
        ],
    }
    workflow = spec.load(document)  # fine for v1, which takes params as they are
    assert for_backend(workflow, V1) == workflow
    with pytest.raises(WorkflowInvalid) as caught:
        for_backend(workflow, V2)
    assert [(p.path, p.step_id) for p in caught.value.problems] == [
        ("$.steps[0].stepModule.params", 1),
        ("$.steps[1].stepModule.params", 2),
        ("$.steps[2].stepModule.params", 3),
    ]
    messages = [p.message for p in caught.value.problems]
    assert "the input Message, and the value holds an '='" in messages[0]
    assert "the value holds the byte 0x1e" in messages[1]
    assert "'prompt' is the input Prompt, and the value holds an '='" in messages[2]


def test_inputs_on_v1_are_one_json_object_string_and_on_v2_key_value_elements() -> None:
    document = {
        "version": "v0.0.1",
        "steps": [
            {"stepId": "1", "stepModule": {"cmd": "sdxl:v0.9-lilypad1", "params": "a moon", "cost": "1"}},
            {
                "stepId": "2",
                "stepModule": {
                    "cmd": "cowsay:v0.0.1",
                    "inputs": {"Message": "look: {{stepId:1}}/outputs/image-42.png", "Style": "cow"},
                    "cost": "1",
                },
            },
        ],
    }
    workflow = spec.load(document)
    v1_step = for_backend(workflow, V1).step(2)
    assert v1_step.module == "cowsay:v0.0.1"
    assert v1_step.params == (Text('{"Message": "look: '), Ref(1), Text('/outputs/image-42.png", "Style": "cow"}'))
    v2_step = for_backend(workflow, V2).step(2)
    assert v2_step.module == "cowsay:v0.0.4"
    assert v2_step.params == (Text("Message=look: "), Ref(1), Text("/outputs/image-42.png\x1eStyle=cow"))
    sent = "".join(s.value if isinstance(s, Text) else "Qm" for s in v1_step.params)
    assert json.loads(sent) == {"Message": "look: Qm/outputs/image-42.png", "Style": "cow"}
