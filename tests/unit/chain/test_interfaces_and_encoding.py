"""Python and Solidity agree: limits, the submit ABI, and encoded workflows as solc decodes them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from eth_abi import encode as abi_encode
from hypothesis import HealthCheck, given, settings
from strategies import GeneratedWorkflow, workflows

from tinyhops import encoding, spec
from tinyhops.encoding.workflow_options import WORKFLOW_OPTIONS_TYPE, WorkflowOptions
from tinyhops.spec import limits

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def echo(accounts, project):
    return accounts[0].deploy(project.StepDefinitionEcho)


@pytest.fixture(scope="module")
def limits_probe(accounts, project):
    return accounts[0].deploy(project.LimitsProbe)


def _getter(name: str) -> str:
    head, *rest = name.lower().split("_")
    return head + "".join(word.capitalize() for word in rest)


@pytest.mark.parametrize("name", [n for n in dir(limits) if n.isupper()])
def test_every_python_limit_is_mirrored_in_solidity(limits_probe, name: str) -> None:
    assert getattr(limits_probe, _getter(name))() == getattr(limits, name)


def test_the_submit_abi_is_the_one_python_encodes_for(project) -> None:
    for escrow, extra in (("IEtherEscrowRegistry", []), ("ITokenEscrowRegistry", ["uint256"])):
        registry = project.load_contracts(ROOT / "contracts" / "interfaces" / f"{escrow}.sol")[escrow]
        plain, with_options = sorted(
            (m for m in registry.abi if getattr(m, "name", None) == "submit"), key=lambda m: len(m.inputs)
        )
        assert [i.canonical_type for i in plain.inputs] == [encoding.SUBMIT_ARGUMENT_TYPE, *extra]
        assert [i.canonical_type for i in with_options.inputs] == [
            encoding.SUBMIT_ARGUMENT_TYPE,
            *extra,
            WORKFLOW_OPTIONS_TYPE,
        ]
        assert [c.name for c in with_options.inputs[-1].components] == list(WorkflowOptions._fields)
        struct = plain.inputs[0]
        assert [c.name for c in struct.components] == list(encoding.StepDefinition._fields)


def test_params_constants_match_the_codec() -> None:
    from tinyhops.encoding import params_segments

    text = (ROOT / "contracts" / "interfaces" / "ParamsEncoding.sol").read_text()
    flag = re.search(r"PARAMS_REFERENCE_FLAG\s*=\s*(0x[0-9a-fA-F]+|\d+)", text)
    longest = re.search(r"PARAMS_MAX_TEXT_SEGMENT\s*=\s*(0x[0-9a-fA-F]+|\d+)", text)
    assert flag and int(flag.group(1), 0) == params_segments.REFERENCE_FLAG
    assert longest and int(longest.group(1), 0) == params_segments.MAX_TEXT_SEGMENT


def _arguments(workflow: spec.Workflow) -> list[tuple]:
    return [tuple(d) for d in encoding.encode(workflow)]


def test_the_original_example_reaches_solidity_intact(echo) -> None:
    workflow = spec.load(ROOT / "tests" / "data" / "original-2023-example.thops.json")
    arguments = _arguments(workflow)
    assert bytes(echo.echo(arguments)) == abi_encode([encoding.SUBMIT_ARGUMENT_TYPE], [arguments])
    step_id, last_need, params_length = echo.inspect(arguments, 3)
    assert (step_id, last_need, params_length) == (4, 2, len(arguments[3][6]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(workflows)
def test_generated_workflows_reach_solidity_intact(echo, generated: GeneratedWorkflow) -> None:
    workflow = spec.load(generated.document)
    arguments = _arguments(workflow)
    returned = bytes(echo.echo(arguments))
    assert returned == abi_encode([encoding.SUBMIT_ARGUMENT_TYPE], [arguments])
    assert encoding.decode_calldata_arguments(returned) == workflow
