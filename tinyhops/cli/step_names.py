"""Step names for a workflow on chain, from the `.thops.json` file a user gives with its id (names are not
on chain): the file must describe that workflow, step for step, or the names would label the wrong steps."""

from __future__ import annotations

from pathlib import Path

from tinyhops import spec
from tinyhops.chain.registry_client import WorkflowView
from tinyhops.encoding.backends import V1, for_backend
from tinyhops.errors import DefinitionMismatch
from tinyhops.spec.model import Workflow


def checked_file(file: Path, view: WorkflowView, backend: str = V1) -> Workflow:
    """The workflow in `file` as `backend` is sent it, if its steps (in submitted order: id, module, cost) are
    those of `view`; DefinitionMismatch naming the first difference otherwise."""
    workflow = for_backend(spec.load(file), backend, str(file))
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


def names_of(workflow: Workflow | None) -> dict[int, str]:
    return {} if workflow is None else {s.step_id: s.name or "" for s in workflow.steps}
