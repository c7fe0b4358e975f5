"""The hand-laid ABI encoding of `submit`'s arguments is eth_abi's, byte for byte (for any definitions, and for
workflows as `calldata_arguments` encodes them), and refuses what eth_abi refuses."""

from __future__ import annotations

import pytest
from eth_abi import encode as eth_abi_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import GeneratedWorkflow, workflows

from tinyhops import spec
from tinyhops.encoding.submit_arguments import (
    SUBMIT_ARGUMENT_TYPE,
    StepDefinition,
    abi_encode_definitions,
    calldata_arguments,
    encode,
)
from tinyhops.errors import EncodingError


def _definitions(bits: dict[str, int]) -> st.SearchStrategy[list[StepDefinition]]:
    def unsigned(name: str) -> st.SearchStrategy[int]:
        return st.integers(0, (1 << bits[name]) - 1)

    return st.lists(
        st.builds(
            StepDefinition,
            stepId=unsigned("stepId"),
            cost=unsigned("cost"),
            timeout=unsigned("timeout"),
            retries=unsigned("retries"),
            needs=st.lists(unsigned("needs"), max_size=5),
            module=st.text(max_size=70),
            params=st.binary(max_size=100),
            cacheable=st.booleans(),
        ),
        max_size=6,
    )


BITS = {"stepId": 64, "cost": 96, "timeout": 32, "retries": 8, "needs": 16}


@settings(max_examples=300, deadline=None)
@given(_definitions(BITS))
def test_encoding_matches_eth_abi(definitions: list[StepDefinition]) -> None:
    expected = eth_abi_encode([SUBMIT_ARGUMENT_TYPE], [[tuple(d) for d in definitions]])
    assert abi_encode_definitions(definitions) == expected


@pytest.mark.parametrize("field", sorted(BITS))
@pytest.mark.parametrize("overflow", [-1, "max+1"])
def test_a_value_out_of_its_type_is_refused_as_eth_abi_refuses_it(field: str, overflow: int | str) -> None:
    value = (1 << BITS[field]) if overflow == "max+1" else overflow
    row = StepDefinition(7, 1, 0, 0, [0], "cowsay:v0.0.1", b"")
    row = row._replace(needs=[value]) if field == "needs" else row._replace(**{field: value})
    with pytest.raises(Exception):  # noqa: B017 - eth_abi's own error types vary by field
        eth_abi_encode([SUBMIT_ARGUMENT_TYPE], [[tuple(row)]])
    with pytest.raises(EncodingError, match=f"step {row.stepId}" if field != "stepId" else "step"):
        abi_encode_definitions([row])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workflows)
def test_a_workflows_calldata_is_eth_abis_encoding_of_its_definitions(generated: GeneratedWorkflow) -> None:
    workflow = spec.load(generated.document)
    expected = eth_abi_encode([SUBMIT_ARGUMENT_TYPE], [[tuple(d) for d in encode(workflow)]])
    assert calldata_arguments(workflow) == expected
