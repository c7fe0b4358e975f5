"""The MCP tools in process (tinyhops.mcp_server.server.call), without a chain: declarations an agent can rely on
(valid 2020-12 schemas, every property described, honest hints), hostile arguments refused in one line before
anything runs, validate_workflow giving every problem the spec's validator finds, read_output over a real
content store; and `tiny-hops mcp` refusing to start in one line."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cli_processes import Finished, tiny_hops
from jsonschema import Draft202012Validator

from tinyhops import spec
from tinyhops.cli.exit_codes import ERROR
from tinyhops.mcp_server.operations import Operator
from tinyhops.mcp_server.server import call, tool_definition
from tinyhops.mcp_server.tools import TOOLS
from tinyhops.paths import PROJECT_ROOT
from tinyhops.provider.store import ContentStore

BROKEN = PROJECT_ROOT / "tests" / "data" / "invalid"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


@pytest.fixture
def operator(tmp_path: Path) -> Operator:
    return Operator(client=None, account=None, budget_wei=10**18, store=ContentStore(tmp_path / "store"))


def ok(operator: Operator, name: str, /, **arguments: Any) -> dict[str, Any]:
    result = call(operator, name, arguments)
    assert not result.is_error, result.content[0].text
    declared = next(tool for tool in TOOLS if tool.name == name)
    Draft202012Validator(declared.output_schema).validate(result.structured_content)
    return result.structured_content


def refused(operator: Operator, name: str, arguments: Any) -> str:
    result = call(operator, name, arguments)
    assert result.is_error and result.structured_content is None
    (content,) = result.content
    return content.text


def _undescribed(schema: Any, path: str) -> list[str]:
    if not isinstance(schema, dict):
        return []
    properties = schema.get("properties", {})
    missing = [f"{path}.{name}" for name, child in properties.items() if "description" not in child]
    children = [*properties.items(), *([("items", schema["items"])] if "items" in schema else [])]
    for name, child in children:
        missing += _undescribed(child, f"{path}.{name}")
    return missing


@pytest.mark.parametrize("declared", TOOLS, ids=lambda tool: tool.name)
def test_each_tool_declares_schemas_an_agent_can_rely_on(declared: Any) -> None:
    for schema in (declared.input_schema, declared.output_schema):
        Draft202012Validator.check_schema(schema)
        assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert _undescribed(declared.input_schema, "in") == [] and _undescribed(declared.output_schema, "out") == []
    tool = tool_definition(declared)
    assert tool.annotations.read_only_hint is (declared.name != "submit_workflow")
    assert tool.annotations.open_world_hint is (declared.name in ("estimate_cost", "submit_workflow", "get_workflow"))
    assert tool.annotations.destructive_hint is False


def test_list_and_describe_give_the_catalog(operator: Operator) -> None:
    modules = ok(operator, "list_modules")["modules"]
    assert "cowsay:v0.0.1" in {m["cmd"] for m in modules}
    described = ok(operator, "describe_module", name="cowsay:v0.0.1")["module"]
    assert described["name"] == "cowsay" and described["outputs"]["primary"] == "stdout"
    assert refused(operator, "describe_module", {"name": "cowsy"}) == (
        "no module 'cowsy' in the catalog; did you mean 'cowsay'?"
    )


@pytest.mark.parametrize(
    ("name", "arguments", "expected"),
    [
        ("estimate_cost", {"workflow": "a string"}, "arguments $.workflow: 'a string' is not of type 'object'"),
        ("validate_workflow", {}, "arguments $: 'workflow' is a required property"),
        ("list_modules", {"rm": "-rf"}, "arguments $: Additional properties are not allowed ('rm' was unexpected)"),
        ("get_workflow", {"workflowId": 0}, "arguments $.workflowId: 0 is less than the minimum of 1"),
        ("get_workflow", {"workflowId": True}, "arguments $.workflowId: True is not of type 'integer'"),
        ("submit_workflow", {"workflow": {}, "deposit": "1e3"}, "arguments $.deposit: '1e3' does not match"),
        ("read_output", {"reference": "x", "maxBytes": 1 << 30}, "arguments $.maxBytes: 1073741824 is greater than"),
        ("no_such_tool", {}, "no tool 'no_such_tool' (tools: list_modules, describe_module, "),
    ],
)
def test_hostile_arguments_are_refused_before_anything_runs(
    operator: Operator, name: str, arguments: dict[str, Any], expected: str
) -> None:
    text = refused(operator, name, arguments)
    assert text.startswith(expected) and "\n" not in text


def _parsed(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None


# The corpus's documents that are JSON (the tool takes a parsed document; bad JSON text is the CLI's to explain).
PARSED = [path for path in sorted(BROKEN.glob("*.thops.json")) if _parsed(path) is not None]


@pytest.mark.parametrize("path", PARSED, ids=lambda p: p.name)
def test_validate_workflow_reports_every_problem_the_validator_finds(operator: Operator, path: Path) -> None:
    document = _parsed(path)
    result = ok(operator, "validate_workflow", workflow=document)
    expected = [(p.path, p.step_id, p.message) for p in spec.problems(document)]
    assert [(p["path"], p["stepId"], p["message"]) for p in result["problems"]][: len(expected)] == expected
    assert result["valid"] is False


def test_validate_workflow_prices_a_valid_workflow(operator: Operator) -> None:
    document = json.loads((PROJECT_ROOT / "sample.thops.json").read_text())
    result = ok(operator, "validate_workflow", workflow=document)
    assert result["valid"] and result["steps"] == 4 and result["requiredDepositWei"] == str(11 * 10**18)


def test_read_output_gives_text_bytes_and_listings(operator: Operator) -> None:
    store = operator.store
    root = store.put_tree({"stdout": b"moo\n", "stderr": b"", "outputs": {"image.png": PNG}})
    text = ok(operator, "read_output", reference=f"{root}/stdout")
    assert (text["kind"], text["mediaType"], text["text"], text["size"]) == ("file", "text/plain", "moo\n", 4)
    image = ok(operator, "read_output", reference=f" {root}/outputs/image.png/ ")
    assert image["mediaType"] == "image/png" and base64.b64decode(image["base64"]) == PNG
    listing = ok(operator, "read_output", reference=root)
    assert {(e["name"], e["directory"]) for e in listing["entries"]} == {
        ("stdout", False),
        ("stderr", False),
        ("outputs", True),
    }
    assert refused(operator, "read_output", {"reference": f"{root}/outputs/image.png", "maxBytes": 10}) == (
        f"{root}/outputs/image.png is 264 bytes, more than maxBytes (10)"
    )
    assert "not a CIDv0" in refused(operator, "read_output", {"reference": "../../etc/passwd"})
    assert refused(operator, "read_output", {"reference": f"{root}/nope"}).startswith(f"{root}/nope: ")


def test_chain_tools_say_when_the_server_has_no_chain(operator: Operator) -> None:
    assert refused(operator, "get_workflow", {"workflowId": 1}) == "this server is not connected to a chain"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--max-deposit", "-1"], "error: --max-deposit '-1' must be an amount of ether, 0 or more"),
        (["--max-deposit", "lots"], "error: --max-deposit 'lots' is not an amount of ether"),
        (["--max-deposit", "1", "--rpc", "http://127.0.0.1:9"], "error: cannot reach a node at http://127.0.0.1:9"),
    ],
)
def test_the_server_refuses_to_start_in_one_line(tmp_path: Path, arguments: list[str], message: str) -> None:
    finished = Finished.of(tiny_hops("mcp", *arguments, cwd=tmp_path))
    assert finished.code == ERROR and finished.stdout == ""
    assert finished.stderr.startswith(message) and len(finished.stderr.strip().splitlines()) == 1, finished.stderr


NAMED = {
    "version": "v0.0.1",
    "parameters": {
        "message": {"type": "string", "description": "What the cow says."},
        "retries": {"type": "integer", "default": 1, "enum": [0, 1, 2]},
    },
    "steps": [
        {"stepId": "say", "stepModule": {"cmd": "cowsay:v0.0.1", "params": "{{param:message}}", "cost": "1"}},
        {
            "stepId": "again",
            "stepModule": {"cmd": "cowsay:v0.0.1", "params": "{{stepId:say}} x{{param:retries}}", "cost": "2"},
        },
    ],
}


def test_validate_workflow_takes_parameters(operator: Operator) -> None:
    result = ok(operator, "validate_workflow", workflow=NAMED, parameters={"message": "moo", "retries": "2"})
    assert result["valid"] and result["steps"] == 2 and result["requiredDepositWei"] == str(3 * 10**18)
    missing = ok(operator, "validate_workflow", workflow=NAMED)
    assert [(p["path"], p["kind"], p["message"]) for p in missing["problems"]] == [
        (
            "$.parameters.message",
            "bad-parameter",
            "parameter 'message' has no default and is not given (give it: --param message=VALUE)",
        )
    ]
    wrong = ok(operator, "validate_workflow", workflow=NAMED, parameters={"message": 5, "retries": 7, "other": "x"})
    assert [(p["path"], p["message"]) for p in wrong["problems"]] == [
        ("$.parameters", "parameter 'other' is given but not declared (declared: message, retries)"),
        ("$.parameters.message", "parameter 'message' is a string; not 5"),
        ("$.parameters.retries", "parameter 'retries' is one of 0, 1, 2; not 7"),
    ]


def test_problems_name_a_named_step_by_its_name(operator: Operator) -> None:
    document = json.loads(json.dumps(NAMED))
    document["steps"][1]["stepModule"]["params"] = "{{stepId:sya}}"
    (problem,) = ok(operator, "validate_workflow", workflow=document, parameters={"message": "m"})["problems"]
    assert problem["stepId"] == "again" and problem["message"].endswith("did you mean 'say'?")


def test_a_parameter_name_that_cannot_be_one_is_refused_before_anything_runs(operator: Operator) -> None:
    text = refused(operator, "validate_workflow", {"workflow": NAMED, "parameters": {"a b": "x"}})
    assert text.startswith("arguments $.parameters: 'a b' does not match")
