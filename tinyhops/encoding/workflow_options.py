"""A workflow's mode and keeper budget as `submit`'s WorkflowOptions argument (IKeeperReimbursement).

A workflow submitted with options has a keeper budget: whoever advances or expires it is paid back in ether
from its gas deposit, at most `maxGasPrice` per gas plus `premium`, at most `maxPaidPerCall` a call. A cap
of 0 means the registry's default (tinyhops.spec.limits.DEFAULT_MAX_GAS_PRICE, DEFAULT_MAX_PAID_PER_CALL).
`runner` puts it in runner mode: Lilypad's callback only records, `advance` dispatches.
"""

from __future__ import annotations

from typing import NamedTuple

from tinyhops.spec.model import KeeperBudget, Workflow

WORKFLOW_OPTIONS_TYPE = "(bool,uint64,uint64,uint64,uint96)"


class WorkflowOptions(NamedTuple):
    """Mirror of `IKeeperReimbursement.WorkflowOptions`, field for field."""

    runner: bool
    maxGasPrice: int
    premium: int
    maxPaidPerCall: int
    gasDeposit: int


def options_of(workflow: Workflow) -> WorkflowOptions | None:
    """The options `submit` is sent for `workflow`: None (the plain submit) for a default-mode workflow
    without a keeper budget."""
    if not workflow.runner and workflow.keeper is None:
        return None
    budget = workflow.keeper or KeeperBudget()
    return WorkflowOptions(
        runner=workflow.runner,
        maxGasPrice=budget.max_gas_price_wei,
        premium=budget.premium_wei,
        maxPaidPerCall=budget.max_paid_per_call_wei,
        gasDeposit=budget.gas_deposit_wei,
    )
