"""Step names for a workflow on chain, from the `.thops.json` file a user gives with its id (names are not
on chain): the file must describe that workflow, step for step, or the names would label the wrong steps. Or
from what this machine recorded when it submitted the workflow (`tinyhops.chain.step_labels`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from tinyhops import spec
from tinyhops.chain.registry_client import WorkflowView
from tinyhops.chain.step_labels import Labels
from tinyhops.encoding.backends import V1, for_backend
from tinyhops.errors import DefinitionMismatch
from tinyhops.spec.model import Workflow


def checked_file(
    file: Path, view: WorkflowView, backend: str = V1, parameters: Mapping[str, Any] | None = None
) -> Workflow:
    """The workflow in `file` (its parameters given `parameters`) as `backend` is sent it, if its steps (in
    submitted order: id, module, cost) are those of `view`; DefinitionMismatch naming the first difference
    otherwise."""
    workflow = for_backend(spec.load(file, parameters=parameters), backend, str(file))
    where = f"{file} is not workflow {view.workflow_id}'s definition"
    if len(workflow.steps) != len(view.steps):
        raise DefinitionMismatch(f"{where}: it has {len(workflow.steps)} steps, the workflow {len(view.steps)}")
    for position, (mine, theirs) in enumerate(zip(workflow.steps, view.steps, strict=True)):
        ours = (mine.step_id, mine.module, mine.cost_wei)
        if ours != (theirs.step_id, theirs.module, theirs.cost_wei):
            raise DefinitionMismatch(
                f"{where}: at position {position} the file has step {mine.step_id} ({mine.module}), "
                f"the chain step {theirs.step_id} ({theirs.module})"
                + ("" if ours[:2] != (theirs.step_id, theirs.module) else ", at another cost")
            )
    return workflow


def labelled(workflow: Workflow, labels: Labels) -> Workflow:
    """A workflow read back from the chain (numbers only) with the names `labels` has for its steps."""
    steps = tuple(
        replace(s, id_name=labels.ids.get(s.step_id), name=labels.names.get(s.step_id)) for s in workflow.steps
    )
    return replace(workflow, steps=steps, name=labels.name)
