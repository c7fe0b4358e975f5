"""The DAG as Mermaid and Graphviz DOT, steps coloured by status when a run is known (with a legend of the
colours). Labels are escaped for each language: any step name draws as written."""

from __future__ import annotations

from collections.abc import Mapping

from tinyhops.chain.registry_client import StepStatus
from tinyhops.errors import one_line
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


NOTE_CHARS = 80  # a failure reason in a node's label is cut to this


def _lines(workflow: Workflow, step_id: int, notes: Mapping[int, str] | None) -> list[str]:
    """A step's label: its name (its stepName, else its id's name, else its number), its module and, if given,
    its note (the last failed attempt, say)."""
    step = workflow.step(step_id)
    note = (notes or {}).get(step_id)
    title = step.name or step.id_name or f"step {step_id}"
    return [title, step.module, *([one_line(note, NOTE_CHARS)] if note else [])]


# Mermaid reads entity codes (#34;) inside a quoted label; `#` itself starts one, so it is escaped first.
_MERMAID_ENTITIES = {"#": "#35;", '"': "#34;", "<": "#60;", ">": "#62;"}


def _mermaid_text(text: str) -> str:
    return "<br/>".join("".join(_MERMAID_ENTITIES.get(char, char) for char in text).splitlines())


def _dot_text(text: str) -> str:
    """A DOT double-quoted string's content: backslashes and quotes escaped, line breaks as \\n."""
    return "\\n".join(text.replace("\\", "\\\\").replace('"', '\\"').splitlines())


def mermaid(
    workflow: Workflow,
    statuses: Mapping[int, StepStatus] | None = None,
    notes: Mapping[int, str] | None = None,
    title: str | None = None,
) -> str:
    """A Mermaid flowchart; with `statuses`, steps are coloured by status and a legend names each colour;
    `notes` are a third line of their steps' labels; `title` (such as a redriven workflow's run) above it."""
    lines = [*(["---", f"title: {_mermaid_text(title)}", "---"] if title else []), "flowchart TD"]
    for step in workflow.steps:
        label = "<br/>".join(_mermaid_text(line) for line in _lines(workflow, step.step_id, notes))
        lines.append(f'    s{step.step_id}["{label}"]')
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


def dot(
    workflow: Workflow,
    statuses: Mapping[int, StepStatus] | None = None,
    notes: Mapping[int, str] | None = None,
    title: str | None = None,
) -> str:
    """Graphviz DOT; with `statuses`, steps are filled by status and a legend cluster names each colour;
    `notes` are a third line of their steps' labels; `title` (such as a redriven workflow's run) above it."""
    lines = [
        "digraph workflow {",
        "    rankdir=TB;",
        *([f'    label="{_dot_text(title)}";', "    labelloc=t;"] if title else []),
        '    node [shape=box, style="rounded,filled", fillcolor="#ffffff"];',
    ]
    for step in workflow.steps:
        colour = COLOURS[statuses.get(step.step_id, StepStatus.WAITING)] if statuses else "#ffffff"
        label = "\\n".join(_dot_text(line) for line in _lines(workflow, step.step_id, notes))
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
