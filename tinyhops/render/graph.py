"""The DAG as Mermaid and Graphviz DOT, steps coloured by status when a run is known."""

from __future__ import annotations

from collections.abc import Mapping

from tinyhops.chain.registry_client import StepStatus
from tinyhops.spec.model import Workflow

COLOURS = {
    StepStatus.WAITING: "#e0e0e0",
    StepStatus.READY: "#fff59d",
    StepStatus.DISPATCHED: "#81d4fa",
    StepStatus.COMPLETED: "#a5d6a7",
    StepStatus.FAILED: "#ef9a9a",
    StepStatus.SKIPPED: "#f5f5f5",
    StepStatus.CANCELLED: "#ce93d8",
}


def _label(workflow: Workflow, step_id: int) -> str:
    step = workflow.step(step_id)
    name = step.name or f"step {step_id}"
    return f"{name}\\n{step.module}".replace('"', "'")


def mermaid(workflow: Workflow, statuses: Mapping[int, StepStatus] | None = None) -> str:
    lines = ["flowchart TD"]
    for step in workflow.steps:
        lines.append(f'    s{step.step_id}["{_label(workflow, step.step_id)}"]')
    for step in workflow.steps:
        for need in step.needs:
            lines.append(f"    s{need} --> s{step.step_id}")
    for status, colour in COLOURS.items():
        members = [f"s{sid}" for sid, st in (statuses or {}).items() if st == status]
        if members:
            lines.append(f"    classDef {status.name.lower()} fill:{colour}")
            lines.append(f"    class {','.join(members)} {status.name.lower()}")
    return "\n".join(lines) + "\n"


def dot(workflow: Workflow, statuses: Mapping[int, StepStatus] | None = None) -> str:
    lines = [
        "digraph workflow {",
        "    rankdir=TB;",
        '    node [shape=box, style="rounded,filled", fillcolor="#ffffff"];',
    ]
    for step in workflow.steps:
        colour = COLOURS.get((statuses or {}).get(step.step_id, StepStatus.WAITING)) if statuses else "#ffffff"
        lines.append(f'    s{step.step_id} [label="{_label(workflow, step.step_id)}", fillcolor="{colour}"];')
    for step in workflow.steps:
        for need in step.needs:
            lines.append(f"    s{need} -> s{step.step_id};")
    lines.append("}")
    return "\n".join(lines) + "\n"
