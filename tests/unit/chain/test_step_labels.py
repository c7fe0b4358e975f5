"""The names a submit records locally (`tinyhops.chain.step_labels`): read back for the same workflow of the same
registry and chain, ignored when the chain's workflow under that id has other steps (a local chain restarted),
nothing written for a workflow with nothing to name, an unreadable record read as none."""

from __future__ import annotations

from pathlib import Path

from tinyhops import spec
from tinyhops.chain import step_labels
from tinyhops.chain.step_labels import Labels
from tinyhops.spec.step_ids import id_of_name

REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def _workflow(first: str | int = "fetch-data") -> spec.Workflow:
    return spec.load(
        {
            "version": "v0.0.1",
            "name": "named",
            "steps": [
                {"stepId": first, "stepModule": {"cmd": "cowsay:v0.0.1", "params": "x", "cost": "1"}},
                {"stepId": 2, "stepName": "second", "stepModule": {"cmd": "cowsay:v0.0.1", "params": "y", "cost": "1"}},
            ],
        }
    )


def _steps(workflow: spec.Workflow) -> list[tuple[int, str]]:
    return [(s.step_id, s.module) for s in workflow.steps]


def test_recorded_labels_come_back_for_the_same_workflow(tmp_path: Path) -> None:
    path = tmp_path / "labels.json"
    workflow = _workflow()
    step_labels.record(31337, REGISTRY, 4, workflow, path)
    labels = step_labels.recorded(31337, REGISTRY.lower(), 4, _steps(workflow), path)
    assert labels == Labels({id_of_name("fetch-data"): "fetch-data"}, {2: "second"}, "named")
    assert labels.label(id_of_name("fetch-data")) == "fetch-data" and labels.label(2) == "2"
    assert step_labels.recorded(31337, REGISTRY, 5, _steps(workflow), path) == Labels()
    assert step_labels.recorded(1, REGISTRY, 4, _steps(workflow), path) == Labels()


def test_labels_of_other_steps_are_not_used(tmp_path: Path) -> None:
    path = tmp_path / "labels.json"
    step_labels.record(31337, REGISTRY, 1, _workflow(), path)
    assert step_labels.recorded(31337, REGISTRY, 1, _steps(_workflow("other")), path) == Labels()


def test_nothing_to_name_writes_nothing_and_an_unreadable_record_is_none(tmp_path: Path) -> None:
    path = tmp_path / "labels.json"
    plain = spec.load(
        {"version": "v0.0.1", "steps": [{"stepId": 1, "stepModule": {"cmd": "c:v1", "params": "x", "cost": "1"}}]}
    )
    step_labels.record(31337, REGISTRY, 1, plain, path)
    assert not path.exists()
    path.write_text("{not json")
    assert step_labels.recorded(31337, REGISTRY, 1, _steps(plain), path) == Labels()
    step_labels.record(31337, REGISTRY, 2, _workflow(), path)  # an unreadable record is replaced, not fatal
    assert step_labels.recorded(31337, REGISTRY, 2, _steps(_workflow()), path).name == "named"
