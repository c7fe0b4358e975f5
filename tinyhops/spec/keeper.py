"""A workflow file's runner mode and keeper budget: the top-level `"runner": true` and `"keeper": {...}`.

`keeper` holds amounts written as step costs are ("0.01", "2 gwei"; a bare number is ether), each optional:
`gasDeposit` (ether set aside to pay keepers, apart from the step deposit), `maxGasPrice` (the highest gas price
a keeper is paid at), `premium` (wei added to each paid call) and `maxPaidPerCall`. A cap left out or 0 is the
registry's default (tinyhops.spec.limits).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tinyhops import errors
from tinyhops.errors import CostError, Problem
from tinyhops.spec.model import KeeperBudget
from tinyhops.spec.units import parse_cost

# Field in the file -> (KeeperBudget attribute, the largest value the chain's WorkflowOptions holds).
FIELDS = {
    "gasDeposit": ("gas_deposit_wei", 2**96 - 1),
    "maxGasPrice": ("max_gas_price_wei", 2**64 - 1),
    "premium": ("premium_wei", 2**64 - 1),
    "maxPaidPerCall": ("max_paid_per_call_wei", 2**64 - 1),
}


def _amount(value: Any) -> int:
    if type(value) in (int, float) and value == 0 or isinstance(value, str) and value.strip() in ("0", "0 wei"):
        return 0
    return parse_cost(value)


def keeper_problems(document: Mapping[str, Any]) -> list[Problem]:
    """What is wrong with the document's `keeper` amounts (the schema checks their shape)."""
    found: list[Problem] = []
    for name, value in (document.get("keeper") or {}).items():
        if name not in FIELDS:
            continue
        path = f"$.keeper.{name}"
        try:
            amount = _amount(value)
        except CostError as error:
            found.append(Problem(errors.BAD_COST, path, str(error)))
            continue
        if amount > FIELDS[name][1]:
            most = FIELDS[name][1]
            found.append(Problem(errors.LIMIT, path, f"{amount} wei is more than the registry holds ({most})"))
    return found


def keeper_budget(document: Mapping[str, Any]) -> KeeperBudget | None:
    """The document's keeper budget (None when it has no `keeper`), amounts in wei; valid amounts assumed."""
    section = document.get("keeper")
    if section is None:
        return None
    return KeeperBudget(**{FIELDS[name][0]: _amount(value) for name, value in section.items() if name in FIELDS})
