"""What a submitter knows of its workflow and the chain does not: the names of named steps (on chain a named
step's id is only the hash of its name, `tinyhops.spec.step_ids`), the steps' `stepName`s and the workflow's
name. `RegistryClient.submit` records them here, in the state directory, so that `monitor ID`, `inspect ID`,
`graph ID`, the dashboard and the MCP server show names without the file; whoever reads the chain elsewhere sees
the numbers.

A record belongs to a workflow id of one registry on one chain; a local chain restarted reuses both, so a record
is used only while the chain's workflow has the recorded steps (ids and modules, in order).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinyhops.atomic_file import write_atomically
from tinyhops.paths import state_dir
from tinyhops.spec.model import Workflow

FILE_NAME = "step-labels.json"


@dataclass(frozen=True)
class Labels:
    """How a person reads a workflow's steps: `ids` the named steps' names (by on-chain id), `names` their
    `stepName`s, `name` the workflow's. Empty for a workflow of plain numbers and no names."""

    ids: Mapping[int, str] = field(default_factory=dict)
    names: Mapping[int, str] = field(default_factory=dict)
    name: str | None = None

    def label(self, step_id: int) -> str:
        """The step's id as its file wrote it: its name, or its number."""
        return self.ids.get(step_id, str(step_id))

    @classmethod
    def of(cls, workflow: Workflow) -> Labels:
        return cls(
            {s.step_id: s.id_name for s in workflow.steps if s.id_name is not None},
            {s.step_id: s.name for s in workflow.steps if s.name},
            workflow.name,
        )


def _path(path: Path | None) -> Path:
    return path or state_dir() / FILE_NAME


def _key(chain_id: int, registry: str, workflow_id: int) -> str:
    return f"{chain_id}:{registry.lower()}:{workflow_id}"


def _read(path: Path) -> dict[str, Any]:
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or unreadable: the numbers are shown
        return {}
    return entries if isinstance(entries, dict) else {}


def record(chain_id: int, registry: str, workflow_id: int, workflow: Workflow, path: Path | None = None) -> None:
    """Keep `workflow`'s labels for its id (nothing for a workflow with none to keep). A failure to write is
    not the submit's: the workflow is on chain, and its steps then read as numbers."""
    labels = Labels.of(workflow)
    if not (labels.ids or labels.names or labels.name):
        return
    path = _path(path)
    entries = _read(path)
    entries[_key(chain_id, registry, workflow_id)] = {
        "steps": [[s.step_id, s.module] for s in workflow.steps],
        "ids": {str(k): v for k, v in labels.ids.items()},
        "names": {str(k): v for k, v in labels.names.items()},
        "name": labels.name,
    }
    try:
        write_atomically(path, (json.dumps(entries, indent=1) + "\n").encode())
    except OSError:
        return


def recorded(
    chain_id: int, registry: str, workflow_id: int, steps: Sequence[tuple[int, str]], path: Path | None = None
) -> Labels:
    """The labels recorded for the workflow whose steps on chain are `steps` ((id, module) in order); none
    when nothing is recorded for it, or what is recorded is of other steps."""
    entry = _read(_path(path)).get(_key(chain_id, registry, workflow_id))
    try:
        if entry is None or [tuple(s) for s in entry["steps"]] != [tuple(s) for s in steps]:
            return Labels()
        return Labels(
            {int(k): str(v) for k, v in entry["ids"].items()},
            {int(k): str(v) for k, v in entry["names"].items()},
            entry.get("name"),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return Labels()
