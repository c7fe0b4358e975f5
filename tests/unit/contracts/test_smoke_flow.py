from pathlib import Path

from tinyhops import spec

SEED = Path(__file__).resolve().parents[2] / "data" / "seed-example.thops.json"


def test_seed_runs_to_completion(driver, registry, user):
    workflow = spec.load(SEED)
    workflow_id, receipt = driver.submit(workflow, user)
    print("submit gas", receipt.gas_used)
    receipts = driver.run_to_end(workflow_id)
    print("deliveries", [r.gas_used for r in receipts])
    summary = registry.getWorkflow(workflow_id)
    assert summary.status == 3
    steps = registry.getSteps(workflow_id)
    for s in steps:
        print(s.stepId, s.status, s.attempts, s.jobId, s.params, s.resultCid)
    assert registry.refundableOf(user) == 0  # 4 x 5 ether paid, nothing left
