"""End to end: the seed example runs to completion, each step fed its parents' results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from contract_helpers import Status, StepStatus, assert_solvent, run_to_end

from tinyhops import spec

SEED = Path(__file__).resolve().parents[2] / "data" / "seed-example.thops.json"


def test_the_seed_example_runs_to_completion(registry: Any, driver: Any, user: Any) -> None:
    workflow_id, _ = driver.submit(spec.load(SEED), user)
    run_to_end(driver, workflow_id, {0: "CID1", 1: "CID2", 2: "CID3", 3: "CID4"})

    summary = registry.getWorkflow(workflow_id)
    assert (summary.status, summary.completedCount, summary.balance) == (Status.COMPLETED, 4, 0)
    steps = registry.getSteps(workflow_id)
    assert [s.status for s in steps] == [StepStatus.COMPLETED] * 4
    assert [s.params for s in steps] == [
        "hello world",
        "parallel job 0 hello parallel world CID1",
        "parallel job 1 hello parallel world CID1",
        "We got all the parallel CID2, CID3 worlds ",
    ]
    assert registry.resultOf(workflow_id, 4) == "CID4"
    assert registry.refundableOf(user) == 0  # 4 x 5 ether, all paid to Lilypad
    assert_solvent(registry)
