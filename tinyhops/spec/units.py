"""Step costs: the seed's decimal ether strings ("5", "0.25") and amounts with an explicit unit ("3 gwei")."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext
from functools import lru_cache

from tinyhops.errors import CostError
from tinyhops.spec.limits import MAX_COST_WEI

WEI_PER_UNIT = {
    "wei": 1,
    "kwei": 10**3,
    "mwei": 10**6,
    "gwei": 10**9,
    "szabo": 10**12,
    "finney": 10**15,
    "ether": 10**18,
    "eth": 10**18,
}

_AMOUNT = re.compile(r"^\s*(?P<number>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>[A-Za-z]+)?\s*$")


def parse_cost(value: object) -> int:
    """Return the cost in wei; a bare number is ether. Raises CostError naming what is wrong."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise CostError(f'cost must be a string such as "5" or "3 gwei", got {type(value).__name__}')
    return _parse_cost(value)


@lru_cache(maxsize=4096, typed=True)  # a workflow's steps mostly share a handful of costs
def _parse_cost(value: str | int | float) -> int:
    # A JSON number may arrive as a float in exponent form (1e-05); Decimal(repr()) keeps its exact digits.
    text = format(Decimal(repr(value)), "f") if isinstance(value, float) else str(value)
    match = _AMOUNT.match(text)
    if not match:
        raise CostError(f'cost {text!r} is not an amount such as "5", "0.25" or "3 gwei"')
    unit = (match["unit"] or "ether").lower()
    if unit not in WEI_PER_UNIT:
        raise CostError(f"cost {text!r} has unknown unit {match['unit']!r} (use one of {', '.join(WEI_PER_UNIT)})")
    # Exact arithmetic: the default 28-digit context would round amounts above 10**28 wei.
    with localcontext(prec=200):
        try:
            amount = Decimal(match["number"]) * WEI_PER_UNIT[unit]
        except InvalidOperation as exc:  # pragma: no cover - the regex admits only plain decimals
            raise CostError(f"cost {text!r} is not a number") from exc
        if amount != amount.to_integral_value():
            raise CostError(f"cost {text!r} is not a whole number of wei")
        wei = int(amount)
    if wei <= 0:
        raise CostError(f"cost {text!r} must be greater than zero")
    if wei > MAX_COST_WEI:
        raise CostError(f"cost {text!r} exceeds the on-chain maximum of {MAX_COST_WEI} wei")
    return wei


def format_wei(wei: int) -> str:
    """Show an amount the way people read it: ether when it is at least a microether, else gwei or wei."""
    if wei >= 10**12:
        ether = f"{Decimal(wei) / 10**18:f}"
        if "." in ether:
            ether = ether.rstrip("0").rstrip(".")
        return f"{ether} ETH"
    if wei >= 10**9 and wei % 10**9 == 0:
        return f"{wei // 10**9} gwei"
    return f"{wei} wei"
