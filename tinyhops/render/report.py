"""Human-readable views of a workflow: the one-paragraph summary and the normalized DAG table."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tinyhops.encoding.submit_arguments import calldata_arguments
from tinyhops.spec.inputs import SEPARATOR as INPUTS_SEPARATOR
from tinyhops.spec.model import Workflow
from tinyhops.spec.units import ETHER_UNIT, Unit, format_amount, format_wei

if TYPE_CHECKING:
    from rich.table import Table


def counted(number: int, noun: str) -> str:
    """`1 step`, `2 steps`, `0 edges`."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def summary(label: str, workflow: Workflow) -> str:
    """One paragraph: shape, cost, encoded size and the values its parameters took."""
    title = f" ({workflow.name})" if workflow.name else ""
    retries = ""
    if workflow.required_deposit_wei != workflow.total_cost_wei:
        retries = f", {format_wei(workflow.required_deposit_wei)} with every retry"
    values = ""
    if workflow.parameters:
        given = ", ".join(
            f"{name}={json.dumps(value, ensure_ascii=False)}" for name, value in workflow.parameters.items()
        )
        values = f" Parameters: {given}."
    return (
        f"{label}{title}: valid. {counted(len(workflow.steps), 'step')}, {counted(workflow.edge_count, 'edge')}, "
        f"depth {workflow.depth}, widest level {workflow.widest_level}; "
        f"total cost {format_wei(workflow.total_cost_wei)}{retries}; "
        f"{len(calldata_arguments(workflow)):,} bytes of submit arguments.{values}"
    )


def dag_table(workflow: Workflow, unit: Unit = ETHER_UNIT) -> Table:
    """The normalized DAG in topological order, as the registry will receive it; costs in `unit`. A named step
    shows its name (the registry receives the number derived from it)."""
    from rich.table import Table

    table = Table(title=workflow.name or "Normalized workflow", title_justify="left")
    for column in ("#", "step", "name", "module", "needs", "cost", "timeout", "params"):
        table.add_column(column, overflow="fold")
    label = workflow.labels()
    for position, step in enumerate(workflow.steps):
        table.add_row(
            str(position),
            step.label,
            step.name or "",
            step.module,
            ", ".join(label[n] for n in step.needs) or "-",
            format_amount(step.cost_wei, unit) + (f" x{1 + step.retries}" if step.retries else ""),
            f"{step.timeout:,} s" if step.timeout else "-",
            # Lilypad v2's inputs are separated by the byte 0x1e: shown as its control picture.
            step.params_source.replace(INPUTS_SEPARATOR, " \u241e "),
        )
    return table
