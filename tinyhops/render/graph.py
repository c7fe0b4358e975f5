"""The DAG as Mermaid and Graphviz DOT, steps coloured by status when a run is known (with a legend of the
colours). Labels are escaped for each language: any step name draws as written."""

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


def _name(workflow: Workflow, step_id: int) -> tuple[str, str]:
    step = workflow.step(step_id)
    return step.name or f"step {step_id}", step.module


# Mermaid reads entity codes (#34;) inside a quoted label; `#` itself starts one, so it is escaped first.
_MERMAID_ENTITIES = {"#": "#35;", '"': "#34;", "<": "#60;", ">": "#62;"}


def _mermaid_text(text: str) -> str:
    return "<br/>".join("".join(_MERMAID_ENTITIES.get(char, char) for char in text).splitlines())


def _dot_text(text: str) -> str:
    """A DOT double-quoted string's content: backslashes and quotes escaped, line breaks as \\n."""
    return "\\n".join(text.replace("\\", "\\\\").replace('"', '\\"').splitlines())


def mermaid(workflow: Workflow, statuses: Mapping[int, StepStatus] | None = None) -> str:
    """A Mermaid flowchart; with `statuses`, steps are coloured by status and a legend names each colour."""
    lines = ["flowchart TD"]
    for step in workflow.steps:
        name, module = _name(workflow, step.step_id)
        lines.append(f'    s{step.step_id}["{_mermaid_text(name)}<br/>{_mermaid_text(module)}"]')
    for step in workflow.steps:
        for need in step.needs:
            lines.append(f"    s{need} --> s{step.step_id}")
    if statuses is None:
        return "\n".join(lines) + "\n"
    for status, colour in COLOURS.items():
        lines.append(f"    classDef {status.name.lower()} fill:{colour}")
        members = [f"s{sid}" for sid, st in statuses.items() if st == status]
        if members:
            lines.append(f"    class {','.join(members)} {status.name.lower()}")
    lines.append('    subgraph legend ["Legend"]')
    lines.append("        direction LR")
    for status in COLOURS:
        key = status.name.lower()
        lines.append(f'        legend_{key}["{key}"]:::{key}')
    lines.append("    end")
    return "\n".join(lines) + "\n"


def dot(workflow: Workflow, statuses: Mapping[int, StepStatus] | None = None) -> str:
    """Graphviz DOT; with `statuses`, steps are filled by status and a legend cluster names each colour."""
    lines = [
        "digraph workflow {",
        "    rankdir=TB;",
        '    node [shape=box, style="rounded,filled", fillcolor="#ffffff"];',
    ]
    for step in workflow.steps:
        colour = COLOURS[statuses.get(step.step_id, StepStatus.WAITING)] if statuses else "#ffffff"
        name, module = _name(workflow, step.step_id)
        label = f"{_dot_text(name)}\\n{_dot_text(module)}"
        lines.append(f'    s{step.step_id} [label="{label}", fillcolor="{colour}"];')
    for step in workflow.steps:
        for need in step.needs:
            lines.append(f"    s{need} -> s{step.step_id};")
    if statuses is not None:
        lines.append("    subgraph cluster_legend {")
        lines.append('        label="Legend";')
        for status, colour in COLOURS.items():
            key = status.name.lower()
            lines.append(f'        legend_{key} [label="{key}", fillcolor="{colour}"];')
        lines.append("    }")
    lines.append("}")
    return "\n".join(lines) + "\n"
