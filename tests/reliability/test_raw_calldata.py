"""Malformed calldata sent straight to the registry's `submit`, bypassing Python: raw transactions carrying random,
truncated and garbled ABI data, and well-formed ABI data holding definitions no validator passed. Each one
reverts: with a custom error of the registry, or with no data at all where Solidity's ABI decoder cannot read
the calldata. Nothing is stored: workflowCount and the registry's balance stay as they were, and the sender
loses exactly the gas (any value sent comes back).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import keccak
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tinyhops import spec
from tinyhops.encoding import SUBMIT_ARGUMENT_TYPE, decode_calldata_arguments, encode
from tinyhops.testing import shapes
from tinyhops.testing.reliability.rawchain import Reverted, fees, ok
from tinyhops.testing.reliability.record import profile, record
from tinyhops.testing.reliability.record import seed as suite_seed

EXAMPLES = profile(500, 5_000)
GAS = 3_000_000
SUBMIT = keccak(text=f"submit({SUBMIT_ARGUMENT_TYPE})")[:4]
ETHER = 10**18
BASES = [spec.load(shapes.chain(3)), spec.load(shapes.fan_out(2)), spec.load(shapes.random_dag(5, seed=3))]
WORDS = st.one_of(
    st.sampled_from([0, 1, 2, 0x20, 0x40, 0x1F, 2**16, 2**64, 2**96 - 1, 2**255, 2**256 - 1]),
    st.integers(0, 2**256 - 1),
)
DEFINITIONS = st.lists(
    st.tuples(
        st.integers(0, 2**64 - 1),  # stepId
        st.one_of(st.just(0), st.integers(1, 10**6), st.integers(0, 2**96 - 1)),  # cost
        st.one_of(st.just(0), st.integers(0, 2**32 - 1)),  # timeout
        st.integers(0, 255),  # retries
        st.lists(st.integers(0, 2**16 - 1), max_size=4),  # needs
        st.one_of(st.just(""), st.just("cowsay:v0.0.1"), st.text(max_size=140)),  # module
        st.binary(max_size=64),  # params, mostly not a valid template encoding
        st.booleans(),  # cacheable
    ),
    max_size=5,
)


@st.composite
def calldata(draw: st.DrawFn) -> tuple[str, bytes]:
    """(kind, calldata) for `submit`, broken in one of several ways."""
    args = abi_encode([SUBMIT_ARGUMENT_TYPE], [[tuple(d) for d in encode(draw(st.sampled_from(BASES)))]])
    kind = draw(st.sampled_from(["random", "truncated", "flipped", "word", "definitions", "selector only"]))
    if kind == "random":
        return kind, SUBMIT + draw(st.binary(max_size=400))
    if kind == "truncated":
        return kind, SUBMIT + args[: draw(st.integers(0, len(args) - 1))]
    if kind == "flipped":
        data = bytearray(args)
        for _ in range(draw(st.integers(1, 4))):
            data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
        return kind, SUBMIT + bytes(data)
    if kind == "word":
        words = len(args) // 32
        at = draw(st.integers(0, words - 1)) * 32
        return kind, SUBMIT + args[:at] + draw(WORDS).to_bytes(32, "big") + args[at + 32 :]
    if kind == "definitions":
        return kind, SUBMIT + abi_encode([SUBMIT_ARGUMENT_TYPE], [draw(DEFINITIONS)])
    return kind, SUBMIT


def test_malformed_submit_calldata_reverts_and_stores_nothing(harness: Any) -> None:
    stack, chain = harness.stack, harness.chain
    registry = stack.registry
    key = harness.keys[7]
    sender = Account.from_key(key).address
    tally: Counter[str] = Counter()

    @seed(suite_seed())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(case=calldata(), value=st.sampled_from([0, 0, 1, ETHER]))
    def check(case: tuple[str, bytes], value: int) -> None:
        kind, data = case
        try:
            chain.call(registry.address, data, sender, value)
        except Reverted as exc:
            reason = registry.error_name(exc.data)  # ValueError for data that is no error of the registry
        else:
            # The garbling left a valid definition and the value pays for it: then Python reads it too.
            workflow = decode_calldata_arguments(data[4:])
            assert 0 < workflow.required_deposit_wei <= value, f"{kind}: 0x{data.hex()} accepted with {value} wei"
            tally["still valid and funded (not sent)"] += 1
            return
        assert not reason.startswith(("Panic", "Error(")), f"{kind}: {reason} for 0x{data.hex()}"
        if not reason:  # a bare revert comes from Solidity's ABI decoder only: eth_abi cannot read it either
            with pytest.raises(Exception):  # noqa: B017 - eth_abi raises several kinds
                abi_decode([SUBMIT_ARGUMENT_TYPE], data[4:])
        before = (registry.call("workflowCount"), chain.balance(registry.address), chain.balance(sender))
        receipt = chain.send(key, registry.address, data, value, gas=GAS)
        assert not ok(receipt), f"{kind} calldata was accepted: 0x{data.hex()}"
        assert int(receipt["gasUsed"], 16) < GAS, f"{kind}: ran out of gas instead of reverting"
        after = (registry.call("workflowCount"), chain.balance(registry.address), chain.balance(sender))
        assert after == (before[0], before[1], before[2] - fees(receipt)), f"{kind}: something was kept"
        tally[kind] += 1
        tally[f"reverted {reason or 'without data'}"] += 1

    check()
    assert tally["reverted without data"] and tally["reverted InsufficientDeposit"]
    figures = {k.replace(" ", "_").replace("(", "").replace(")", ""): v for k, v in sorted(tally.items())}
    tried = sum(v for k, v in tally.items() if not k.startswith(("reverted", "still")))
    record("raw_calldata", tried=tried + tally["still valid and funded (not sent)"], **figures)
