"""Watching a workflow: a table of its steps (with every failed attempt's reason), redrawn on every new block
until the workflow ends, and one line whenever something needs the user: no provider picks up a job, the
node stops answering, the node is back.

A CID is never broken across lines: on a console too narrow for whole CIDs the table shows them shortened
(`bafkrei…x7k2qa`) and says where the whole ones are (`monitor ID --json`, `inspect ID`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

from tinyhops.chain.registry_client import RegistryClient, StepStatus, StepView, WorkflowView
from tinyhops.index.views import view_of
from tinyhops.spec.units import ETHER_UNIT, Unit, format_amount

RECONNECT_SECONDS = 120.0  # how long `watch` keeps retrying a node that stopped answering
STALL_BLOCKS = 20  # a job still unanswered after this many blocks: no provider has picked it up
# An automining dev chain (anvil, `make chain`) mines only when someone sends a transaction; with no provider
# running, no block comes at all. A job waiting this long without a single new block is not picked up either.
STALL_IDLE_SECONDS = 20.0
WIDE_CIDS = 150  # console columns from which the table shows whole CIDs
CID_HEAD, CID_TAIL = 12, 6

STATUS_STYLE = {
    StepStatus.WAITING: "dim",
    StepStatus.READY: "yellow",
    StepStatus.DISPATCHED: "cyan",
    StepStatus.COMPLETED: "green",
    StepStatus.FAILED: "bold red",
    StepStatus.SKIPPED: "dim",
    StepStatus.CANCELLED: "magenta",
}


def short_cid(cid: str) -> str:
    """`cid` shortened to its first and last characters, for tables narrower than a CID."""
    return cid if len(cid) <= CID_HEAD + CID_TAIL + 1 else f"{cid[:CID_HEAD]}…{cid[-CID_TAIL:]}"


def run_note(view: WorkflowView) -> str:
    """` (run N)` for a redriven workflow, whose figures are its current run's; nothing for its first run."""
    return f" (run {view.run})" if view.run > 1 else ""


def headline(view: WorkflowView, name: str | None = None, unit: Unit = ETHER_UNIT) -> str:
    named = f" ({name})" if name else ""
    return (
        f"Workflow {view.workflow_id}{named}: {view.status.name.title()}{run_note(view)}  "
        f"{view.completed}/{view.step_count} done, {view.in_flight} running, {view.queued} queued  "
        f"spent {format_amount(view.spent_wei, unit)}, escrow {format_amount(view.balance_wei, unit)}"
    )


def failure_lines(view: WorkflowView, ids: Mapping[int, str] | None = None) -> list[str]:
    """One line per failed attempt: `step 2: attempt 1 failed: unknown module 'x:v1'` (a named step by its name,
    from `ids`)."""
    ids = ids or {}
    return [
        f"step {ids.get(step.step_id, step.step_id)}: {failure.describe()}"
        for step in view.steps
        for failure in step.failures
    ]


def _result(step: StepView, whole: bool) -> str:
    if step.result_cid:
        return step.result_cid if whole else short_cid(step.result_cid)
    if step.status in (StepStatus.FAILED, StepStatus.SKIPPED, StepStatus.CANCELLED):
        return "-"
    return "pending"


def table(
    view: WorkflowView,
    names: Mapping[int, str] | None = None,
    name: str | None = None,
    width: int = WIDE_CIDS,
    unit: Unit = ETHER_UNIT,
    ids: Mapping[int, str] | None = None,
) -> Table:
    """The steps as a table fitting `width` columns, amounts in `unit`; failed attempts' reasons below it.
    `ids` are the named steps' names (`tinyhops.chain.step_labels`), shown for their on-chain numbers."""
    names = names or {}
    ids = ids or {}
    whole = width >= WIDE_CIDS
    # Narrow (an 80-column terminal, a log file): no outer edge and no job column (`--json` has job ids).
    grid = Table(title=headline(view, name, unit), title_justify="left", caption_justify="left", show_edge=whole)
    columns = ["step", *(["name"] if names else []), "module", "status", *(["job"] if whole else []), "tries"]
    for column in (*columns, "result CID"):
        grid.add_column(column, no_wrap=column not in ("name", "module"), overflow="fold")
    for step in view.steps:
        grid.add_row(
            ids.get(step.step_id, str(step.step_id)),
            *([names.get(step.step_id, "")] if names else []),
            step.module,
            f"[{STATUS_STYLE[step.status]}]{step.status.name.lower()}{' (cached)' if step.cached else ''}[/]",
            *([str(step.job_id) if step.attempts or step.cached else "-"] if whole else []),
            str(step.attempts),
            _result(step, whole),
        )
    notes = failure_lines(view, ids)
    if not whole and any(step.result_cid for step in view.steps):
        whole_ones = f"`monitor {view.workflow_id} --json` or `inspect {view.workflow_id}`"
        notes.append(f"CIDs shortened: {whole_ones} prints them whole")
    grid.caption = "\n".join(notes) or None
    return grid


def snapshot(
    view: WorkflowView,
    names: Mapping[int, str] | None = None,
    name: str | None = None,
    unit: Unit = ETHER_UNIT,
    ids: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """One machine-readable picture of the workflow (for `monitor --json`): `escrow_wei` is what the table
    calls escrow (deposit not yet paid to Lilypad), every step's failed attempts with their reasons. Amounts
    (`*_wei`, steps' `cost_wei`) are in the smallest units of `unit`: wei, or the v2 token's. A named step
    has its name as `id_name` (its `step_id` is the number derived from it)."""
    ids = ids or {}
    data = asdict(view)
    data["unit"] = asdict(unit)
    data["escrow_wei"] = data.pop("balance_wei")
    data["status"] = view.status.name.lower()
    if name is not None:
        data["name"] = name
    data["steps"] = [
        {
            **asdict(s),
            "status": s.status.name.lower(),
            "cached": s.cached,
            **({"name": names[s.step_id]} if names and s.step_id in names else {}),
            **({"id_name": ids[s.step_id]} if s.step_id in ids else {}),
            "failures": [{**asdict(f), "expired": f.expired} for f in s.failures],
        }
        for s in view.steps
    ]
    return data


def outcome(view: WorkflowView) -> str:
    return (
        f"Workflow {view.workflow_id}: {view.status.name.title()}{run_note(view)}, "
        f"{view.completed}/{view.step_count} steps"
    )


@dataclass
class StallWatch:
    """Says, once per job, when a dispatched job has waited STALL_BLOCKS blocks (or STALL_IDLE_SECONDS without
    any block) for an answer: no provider has picked it up."""

    blocks: int = STALL_BLOCKS
    idle_seconds: float = STALL_IDLE_SECONDS
    seen: dict[int, tuple[int, float]] = field(default_factory=dict)  # job id -> (block, monotonic) first seen
    told: set[int] = field(default_factory=set)

    def notices(self, view: WorkflowView, block: int, last_block_at: float, now: float) -> list[str]:
        dispatched = {s.job_id: s for s in view.steps if s.status is StepStatus.DISPATCHED}
        self.seen = {job: self.seen.get(job, (block, now)) for job in dispatched}
        lines = []
        for job, (first_block, first_seen) in self.seen.items():
            if job in self.told:
                continue
            waited = block - first_block
            idle = now - max(first_seen, last_block_at)
            if waited >= self.blocks:
                how_long = f"{waited} blocks"
            elif idle >= self.idle_seconds:
                how_long = f"{idle:.0f} s without a new block"
            else:
                continue
            self.told.add(job)
            lines.append(
                f"no provider has picked up job {job} (step {dispatched[job].step_id}) for {how_long}: "
                "is `ape run provider` running?"
            )
        return lines


def watch(
    client: RegistryClient,
    workflow_id: int,
    block_number: Callable[[], int],
    names: Mapping[int, str] | None = None,
    console: Console | None = None,
    poll_seconds: float = 0.25,
    timeout_seconds: float | None = None,
    reconnect_seconds: float = RECONNECT_SECONDS,
    name: str | None = None,
    node: str = "the node",
    stalls: StallWatch | None = None,
    ids: Mapping[int, str] | None = None,
) -> WorkflowView:
    """Redraw the table whenever a block arrives; return the final view once the workflow has ended.
    A node that stops answering (restarted, say) is retried for `reconnect_seconds` before giving up; one line
    says it went away, one that it is back. `stalls` says when no provider picks a job up."""
    console = console or Console()
    stalls = stalls or StallWatch()
    view = view_of(client, workflow_id)  # the index when it is fresh
    started = time.monotonic()
    seen_block = block_number()
    last_block_at = started
    failing_since: float | None = None

    unit = client.unit

    def draw() -> Table:
        return table(view, names, name, console.width, unit, ids)

    if not console.is_terminal:  # a log shows the table only when the workflow ends: say it is followed
        console.print(f"following workflow {workflow_id} until it ends", soft_wrap=True)
        console.file.flush()
    with Live(draw(), console=console, refresh_per_second=8, transient=False) as live:
        while not view.status.final:
            if timeout_seconds is not None and time.monotonic() - started > timeout_seconds:
                break
            time.sleep(poll_seconds)
            try:
                current = block_number()
                if current != seen_block or failing_since is not None:
                    view = view_of(client, workflow_id)  # the index when it is fresh
                    seen_block, last_block_at = current, time.monotonic()
                    live.update(draw())
                if failing_since is not None:
                    live.console.print(f"{node} is answering again (down {time.monotonic() - failing_since:.0f} s)")
                    failing_since = None
            except Exception as exc:  # noqa: BLE001 - the node went away: retry, then give up with its error
                if failing_since is None:
                    failing_since = time.monotonic()
                    live.console.print(f"{node} is not answering ({type(exc).__name__}); retrying until it is back")
                if time.monotonic() - failing_since > reconnect_seconds:
                    raise
                continue
            for line in stalls.notices(view, seen_block, last_block_at, time.monotonic()):
                live.console.print(line)
    if not console.is_terminal:
        console.line()  # rich ends the final table with a newline only on a terminal: keep later lines apart
    return view
