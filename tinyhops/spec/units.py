"""Step costs: decimal ether strings as in the original format ("5", "0.25") or amounts with a unit ("3 gwei")."""

from __future__ import annotations

import re
from dataclasses import dataclass
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

# What a user reads when a cost is not an amount (and what the schema's description of `cost` says).
COST_FORM = (
    'write ether as a plain decimal ("5", "0.25") or an amount with a unit ("3 gwei", "100 wei"; units '
    + ", ".join(WEI_PER_UNIT)
    + ")"
)
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
        raise CostError(f"cost {text!r} is not an amount: {COST_FORM}")
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


@dataclass(frozen=True)
class Unit:
    """What an escrow counts in: ether (amounts in wei), or an ERC-20 token (amounts in its smallest units, shown
    with its `decimals`). A workflow file's costs are the same integers either way ("1" is 10**18 of them)."""

    symbol: str
    decimals: int

    @property
    def is_ether(self) -> bool:
        return self == ETHER_UNIT


ETHER_UNIT = Unit("ETH", 18)
MAX_SYMBOL_CHARS = 11  # longer token symbols are cut: they are only ever shown
_SYMBOL = re.compile(r"[^A-Za-z0-9._$-]")


def token_unit(symbol: object, decimals: object) -> Unit:
    """A token's unit from what its contract says, which is not to be trusted: a symbol with anything but
    letters, digits and `._$-` in it, or none, reads "tokens"; decimals outside 0-36 read as 0 (whole units)."""
    text = symbol if isinstance(symbol, str) else ""
    if not text or _SYMBOL.search(text):
        text = "tokens"
    places = decimals if isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= 36 else 0
    return Unit(text[:MAX_SYMBOL_CHARS], places)


def format_amount(amount: int, unit: Unit = ETHER_UNIT) -> str:
    """`amount` in `unit`: as `format_wei` for ether; else exactly, in whole tokens ("2.5 LP")."""
    if unit.is_ether:
        return format_wei(amount)
    with localcontext(prec=200):
        text = f"{Decimal(amount) / 10**unit.decimals:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {unit.symbol}"


def parse_amount(text: str, unit: Unit = ETHER_UNIT) -> int:
    """A positive decimal amount of whole `unit`s ("2.5") in its smallest units; ValueError naming the problem."""
    try:
        with localcontext(prec=200):
            amount = Decimal(text) * 10**unit.decimals
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount of {_named(unit)}") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.to_integral_value():
        raise ValueError(f"{text!r} must be a positive amount of {_named(unit)} (at most {unit.decimals} decimals)")
    return int(amount)


def _named(unit: Unit) -> str:
    return "ether" if unit.is_ether else unit.symbol
