"""tinyhops.bench.gas_breakdown on hand-made opcode traces: each step's gas in its category, an excluded callee's
frame skipped but the call's own overhead counted, and the whole adding up to the frame's gas."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinyhops.bench import gas_breakdown

LILYPAD = "0x" + "11" * 20
OTHER = "0x" + "22" * 20


def call_to(address: str, gas: int) -> dict:
    return {"op": "CALL", "gas": gas, "gasCost": 0, "depth": 1, "stack": ["0x0", "0x" + address[2:], "0x5000"]}


def step(op: str, gas: int, cost: int, depth: int = 1) -> dict:
    return {"op": op, "gas": gas, "gasCost": cost, "depth": depth, "stack": []}


def trace(callee: str) -> list[dict]:
    """SLOAD, a call that runs 3,000 gas of callee code and costs the caller 2,600 more, SSTORE, LOG1, STOP."""
    return [
        step("SLOAD", 100_000, 2_100),
        call_to(callee, 97_900),
        step("ADD", 80_000, 3, depth=2),
        step("SSTORE", 79_997, 2_900, depth=2),
        step("RETURN", 77_097, 97, depth=2),
        step("SSTORE", 92_300, 20_000),  # 97,900 - 2,600 overhead - 3,000 used inside
        step("LOG1", 72_300, 750),
        step("STOP", 71_550, 0),
    ]


def test_an_excluded_callee_is_skipped_but_its_call_overhead_counts() -> None:
    totals = gas_breakdown.shares(gas_breakdown.transaction(trace(LILYPAD), [LILYPAD]))
    assert totals == {
        "storage writes": 20_000,
        "storage reads": 2_100,
        "code": 0,
        "calls": 2_600,
        "events": 750,
        "computation": 0,
    }


def test_a_callee_of_ours_is_attributed_step_by_step() -> None:
    totals = gas_breakdown.shares(gas_breakdown.transaction(trace(OTHER), [LILYPAD]))
    assert totals["storage writes"] == 20_000 + 2_900
    assert totals["computation"] == 3 + 97
    # Everything the frame used is in some category, and nothing twice.
    assert sum(totals.values()) == 100_000 - 71_550


@given(st.lists(st.sampled_from(["ADD", "SLOAD", "SSTORE", "LOG2", "EXTCODECOPY", "MSTORE"]), max_size=40), st.data())
def test_a_flat_frame_adds_up_to_the_gas_it_used(ops: list[str], data: st.DataObject) -> None:
    gas, logs = 1_000_000, []
    for op in ops:
        cost = data.draw(st.integers(0, 30_000))
        logs.append(step(op, gas, cost))
        gas -= cost
    logs.append(step("STOP", gas, 0))
    totals = gas_breakdown.transaction(logs, [LILYPAD])
    assert sum(totals.values()) == 1_000_000 - gas
    for op in set(ops):
        assert totals[gas_breakdown.category(op)] > 0 or all(
            logs[i]["gasCost"] == 0 for i, o in enumerate(ops) if o == op
        )


def test_a_v2_delivery_is_the_registrys_submit_results_frame_with_its_token_calls_less_the_job_creator() -> None:
    from tinyhops.bench import trace_gas

    registry, job_creator, token = "0x" + "aa" * 20, "0x" + "bb" * 20, "0x" + "cc" * 20
    trace = {
        "to": job_creator,
        "gasUsed": hex(200_000),
        "calls": [
            {
                "to": registry,
                "input": trace_gas.SUBMIT_RESULTS + "00" * 96,
                "gasUsed": hex(150_000),
                "calls": [
                    {"to": token, "gasUsed": hex(9_000)},  # the next dispatch's allowance: the registry's own
                    {"to": job_creator, "gasUsed": hex(60_000), "calls": [{"to": registry, "gasUsed": hex(1)}]},
                ],
            }
        ],
    }
    assert trace_gas.registry_side_of_delivery(trace, registry, job_creator, trace_gas.SUBMIT_RESULTS) == 90_000
    with pytest.raises(ValueError, match="no Lilypad callback frame"):
        trace_gas.registry_side_of_delivery(trace, registry, job_creator)  # v1's callback is not in it
