"""Watching a workflow: a table of its steps, redrawn on every new block until the workflow ends."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

from tinyhops.chain.registry_client import RegistryClient, StepStatus, WorkflowView
from tinyhops.spec.units import format_wei

RECONNECT_SECONDS = 120.0  # how long `watch` keeps retrying a node that stopped answering

STATUS_STYLE = {
    StepStatus.WAITING: "dim",
    StepStatus.READY: "yellow",
    StepStatus.DISPATCHED: "cyan",
    StepStatus.COMPLETED: "green",
    StepStatus.FAILED: "bold red",
    StepStatus.SKIPPED: "dim",
    StepStatus.CANCELLED: "magenta",
}


def table(view: WorkflowView, names: Mapping[int, str] | None = None) -> Table:
    names = names or {}
    title = (
        f"Workflow {view.workflow_id}: {view.status.name.title()}  "
        f"{view.completed}/{view.step_count} done, {view.in_flight} running, {view.queued} queued  "
        f"spent {format_wei(view.spent_wei)}, escrow {format_wei(view.balance_wei)}"
    )
    grid = Table(title=title, title_justify="left")
    for column in ("step", "name", "module", "status", "job id", "attempts", "result CID"):
        grid.add_column(column, overflow="fold")
    for step in view.steps:
        grid.add_row(
            str(step.step_id),
            names.get(step.step_id, ""),
            step.module,
            f"[{STATUS_STYLE[step.status]}]{step.status.name.lower()}[/]",
            str(step.job_id) if step.attempts else "-",
            str(step.attempts),
            step.result_cid or "pending",
        )
    return grid


def snapshot(view: WorkflowView) -> dict[str, Any]:
    """One machine-readable picture of the workflow (for `monitor --json`)."""
    data = asdict(view)
    data["status"] = view.status.name.lower()
    data["steps"] = [{**asdict(s), "status": s.status.name.lower()} for s in view.steps]
    return data


def watch(
    client: RegistryClient,
    workflow_id: int,
    block_number: Callable[[], int],
    names: Mapping[int, str] | None = None,
    console: Console | None = None,
    poll_seconds: float = 0.25,
    timeout_seconds: float | None = None,
    reconnect_seconds: float = RECONNECT_SECONDS,
) -> WorkflowView:
    """Redraw the table whenever a block arrives; return the final view once the workflow has ended.
    A node that stops answering (restarted, say) is retried for `reconnect_seconds` before giving up."""
    console = console or Console()
    view = client.view(workflow_id)
    started = time.monotonic()
    seen_block = block_number()
    failing_since: float | None = None
    with Live(table(view, names), console=console, refresh_per_second=8, transient=False) as live:
        while not view.status.final:
            if timeout_seconds is not None and time.monotonic() - started > timeout_seconds:
                break
            time.sleep(poll_seconds)
            try:
                current = block_number()
                if current != seen_block or failing_since is not None:
                    view = client.view(workflow_id)
                    seen_block = current
                    live.update(table(view, names))
                failing_since = None
            except Exception as exc:  # noqa: BLE001 - the node went away: retry, then give up with its error
                failing_since = failing_since or time.monotonic()
                if time.monotonic() - failing_since > reconnect_seconds:
                    raise
                grid = table(view, names)
                grid.caption = f"[yellow]node not answering ({type(exc).__name__}); retrying[/]"
                live.update(grid)
    if not console.is_terminal:
        console.line()  # rich ends the final table with a newline only on a terminal: keep later lines apart
    return view
