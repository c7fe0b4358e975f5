"""Exit codes a script can trust (tinyhops.cli.exit_codes), through the real commands: `monitor` and
`tiny-hops run --wait` exit 0 only for a Completed workflow, 2 for Failed, 3 for Cancelled; `monitor --json`
exits 4 while the workflow has not ended; `ape run monitor` agrees with `tiny-hops monitor`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli_processes import Finished, ape_run, tiny_hops, workflow_id_of

from tinyhops.chain.registry_client import WorkflowStatus
from tinyhops.cli import exit_codes
from tinyhops.spec.sample import write_sample


def one_step(tmp_path: Path, name: str, module: str, cost: str = "1") -> str:
    document = {
        "version": "v0.0.1",
        "name": name,
        "steps": [{"stepId": "1", "stepModule": {"cmd": module, "params": "hello", "cost": cost}}],
    }
    (tmp_path / f"{name}.thops.json").write_text(json.dumps(document))
    return f"{name}.thops.json"


def test_run_wait_follows_a_completed_workflow_and_exits_0(e2e: Any, tmp_path: Path) -> None:
    uri = e2e.chain.provider.uri
    write_sample(tmp_path / "sample.thops.json")
    child = e2e.start_provider()
    waited = Finished.of(tiny_hops("run", "sample.thops.json", "--wait", "--rpc", uri, cwd=tmp_path), timeout=180)
    assert waited.code == exit_codes.OK == 0, waited
    workflow_id = workflow_id_of(waited)
    assert waited.stdout_lines[-1].startswith(f"Workflow {workflow_id}: Completed, 4/4 steps"), waited
    assert e2e.client.view(workflow_id).status is WorkflowStatus.COMPLETED
    again = Finished.of(tiny_hops("monitor", str(workflow_id), "--json", "--rpc", uri, cwd=tmp_path))
    assert again.code == 0 and json.loads(again.stdout)["status"] == "completed", again
    assert child.stop() == 0


def test_a_failed_workflow_exits_2_from_run_wait_monitor_and_ape_run_monitor(e2e: Any, tmp_path: Path) -> None:
    uri = e2e.chain.provider.uri
    file = one_step(tmp_path, "bad-params", "deterministic_wasm:v0.0.1", "2")  # the module fails: not a CID
    child = e2e.start_provider()
    waited = Finished.of(tiny_hops("run", file, "--wait", "--rpc", uri, cwd=tmp_path), timeout=180)
    assert waited.code == exit_codes.FAILED == 2, waited
    assert f"{file}: 1 step; every attempt paid: 2 ETH" in waited.stdout, waited
    workflow_id = workflow_id_of(waited)
    assert waited.stdout_lines[-1].startswith(f"Workflow {workflow_id}: Failed, 0/1 steps"), waited
    monitored, ape_monitored = (
        Finished.of(run, timeout=120)
        for run in [
            tiny_hops("monitor", str(workflow_id), "--rpc", uri, cwd=tmp_path),
            ape_run("monitor", str(workflow_id), chain_uri=uri),
        ]
    )
    assert monitored.code == ape_monitored.code == 2, (monitored, ape_monitored)
    snapshot = Finished.of(tiny_hops("monitor", str(workflow_id), "--json", "--rpc", uri, cwd=tmp_path))
    assert snapshot.code == 2 and json.loads(snapshot.stdout)["status"] == "failed", snapshot
    assert child.stop() == 0


def test_a_cancelled_workflow_exits_3_and_a_live_snapshot_4(e2e: Any, tmp_path: Path) -> None:
    uri = e2e.chain.provider.uri
    write_sample(tmp_path / "sample.thops.json")  # no provider runs: the workflow stays Running
    submitted = Finished.of(tiny_hops("run", "sample.thops.json", "--rpc", uri, cwd=tmp_path))
    assert submitted.code == 0, submitted
    workflow_id = workflow_id_of(submitted)
    live = Finished.of(tiny_hops("monitor", str(workflow_id), "--json", "--rpc", uri, cwd=tmp_path))
    assert live.code == exit_codes.NOT_ENDED == 4 and json.loads(live.stdout)["status"] == "running", live
    cancelled = Finished.of(tiny_hops("cancel", str(workflow_id), "--rpc", uri, cwd=tmp_path))
    assert cancelled.code == 0, cancelled
    monitored, ape_monitored = (
        Finished.of(run, timeout=120)
        for run in [
            tiny_hops("monitor", str(workflow_id), "--rpc", uri, cwd=tmp_path),
            ape_run("monitor", str(workflow_id), chain_uri=uri),
        ]
    )
    assert monitored.code == ape_monitored.code == exit_codes.CANCELLED == 3, (monitored, ape_monitored)
    assert monitored.stdout_lines[-1].startswith(f"Workflow {workflow_id}: Cancelled"), monitored


def test_an_error_exits_1_not_a_workflow_code(e2e: Any, tmp_path: Path) -> None:
    unknown = Finished.of(tiny_hops("monitor", "99", "--rpc", e2e.chain.provider.uri, cwd=tmp_path))
    assert unknown.code == exit_codes.ERROR == 1 and unknown.one_line_error().startswith("error:"), unknown
