"""End to end: the 2023 prototype's example runs to completion, each step fed its parents' results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from contract_helpers import Status, StepStatus, assert_solvent, label, run_to_end

from tinyhops import spec

ORIGINAL_EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "original-2023-example.thops.json"


def test_the_original_example_runs_to_completion(registry: Any, driver: Any, user: Any) -> None:
    workflow_id, _ = driver.submit(spec.load(ORIGINAL_EXAMPLE), user)
    run_to_end(driver, workflow_id, {0: label("CID1"), 1: label("CID2"), 2: label("CID3"), 3: label("CID4")})

    summary = registry.getWorkflow(workflow_id)
    assert (summary.status, summary.completedCount, summary.balance) == (Status.COMPLETED, 4, 0)
    steps = registry.getSteps(workflow_id)
    assert [s.status for s in steps] == [StepStatus.COMPLETED] * 4
    assert [s.params for s in steps] == [
        "hello world",
        f"parallel job 0 hello parallel world {label('CID1')}",
        f"parallel job 1 hello parallel world {label('CID1')}",
        f"We got all the parallel {label('CID2')}, {label('CID3')} worlds ",
    ]
    assert registry.resultOf(workflow_id, 4) == label("CID4")
    assert registry.refundableOf(user) == 0  # 4 x 5 ether, all paid to Lilypad
    assert_solvent(registry)
