"""Costs: decimal ether as in the original format, or with a unit; always a positive whole number of wei."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinyhops.errors import CostError
from tinyhops.spec.limits import MAX_COST_WEI
from tinyhops.spec.units import WEI_PER_UNIT, format_wei, parse_cost


@pytest.mark.parametrize(
    ("text", "wei"),
    [
        ("5", 5 * 10**18),
        ("0.25", 25 * 10**16),
        ("3 gwei", 3 * 10**9),
        ("100 wei", 100),
        ("1.5 ether", 15 * 10**17),
        (" 2 GWEI ", 2 * 10**9),
        (2, 2 * 10**18),
        (0.5, 5 * 10**17),
    ],
)
def test_costs_parse_to_wei(text: object, wei: int) -> None:
    assert parse_cost(text) == wei


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("0", "greater than zero"),
        ("0.5 wei", "whole number of wei"),
        ("1 florin", "unknown unit"),
        ("-1", "not an amount"),
        ("abc", "not an amount"),
        (True, "must be a string"),
        (f"{MAX_COST_WEI + 1} wei", "on-chain maximum"),
    ],
)
def test_bad_costs_say_why(text: object, why: str) -> None:
    with pytest.raises(CostError, match=why):
        parse_cost(text)


@given(st.integers(1, MAX_COST_WEI), st.sampled_from(sorted(WEI_PER_UNIT)))
def test_whole_amounts_in_any_unit(amount: int, unit: str) -> None:
    wei = amount * WEI_PER_UNIT[unit]
    if wei <= MAX_COST_WEI:
        assert parse_cost(f"{amount} {unit}") == wei


def test_format_wei_reads_naturally() -> None:
    assert format_wei(20 * 10**18) == "20 ETH"
    assert format_wei(25 * 10**16) == "0.25 ETH"
    assert format_wei(3 * 10**9) == "3 gwei"
    assert format_wei(7) == "7 wei"
