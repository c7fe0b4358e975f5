"""The chain commands through their installed entry points (`tiny-hops`, `ape run submit`) on the test chain.

Each command is a child process of `.venv/bin/tiny-hops` or `.venv/bin/ape`, finding the test deployment
through TINYHOPS_DEPLOYMENTS; commands that do not depend on each other run at the same time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli_processes import ANVIL_KEYS, Finished, ape_run, tiny_hops

from tinyhops.chain.accounts import from_private_key
from tinyhops.chain.registry_client import StepStatus, WorkflowStatus
from tinyhops.spec.sample import sample_document, write_sample
from tinyhops.testing.provider_process import job_lines

ETHER = 10**18


def chain_state(e2e: Any, *accounts: Any) -> tuple[int, int, tuple[int, ...]]:
    """What any sent transaction would change: block height, workflow count, the accounts' nonces."""
    return (
        int(e2e.chain.blocks.height),
        int(e2e.client.registry.workflowCount()),
        tuple(int(account.nonce) for account in accounts),
    )


def test_refused_submissions_print_one_line_and_send_nothing(e2e: Any, accounts: Any, tmp_path: Path) -> None:
    uri = e2e.chain.provider.uri
    write_sample(tmp_path / "sample.thops.json")  # every attempt: 1 + 4 * 2 + 1 + 1 = 11 ether
    document = sample_document()
    document["steps"][1][0]["stepModule"]["cost"] = "3.5"  # step 2, sdxl: the local Lilypad charges 4 ether
    underpriced = tmp_path / "underpriced.thops.json"
    underpriced.write_text(json.dumps(document))
    before = chain_state(e2e, accounts[0], e2e.user)

    runs = [
        tiny_hops("run", "sample.thops.json", "--deposit", "10.5", "--rpc", uri, cwd=tmp_path),
        tiny_hops("run", "underpriced.thops.json", "--deposit", "20", "--rpc", uri, cwd=tmp_path),
        ape_run("submit", underpriced, "--deposit", "20", chain_uri=uri, THOPS_PRIVATE_KEY=ANVIL_KEYS[1]),
    ]
    short, cheap_cli, cheap_ape = (Finished.of(run) for run in runs)

    assert short.one_line_error() == (
        "error: deposit 10.5 ETH does not cover every attempt: 11 ETH is needed (unspent deposit is refundable)"
    )
    expected = "error: step 2 (sdxl:v0.9-lilypad1) offers 3.5 ETH but Lilypad charges 4 ETH"
    assert cheap_cli.one_line_error() == expected
    assert cheap_ape.one_line_error() == expected
    for refused in (short, cheap_cli, cheap_ape):
        assert "workflowId" not in refused.stdout, refused
    assert chain_state(e2e, accounts[0], e2e.user) == before  # nothing mined, nothing signed


def test_original_cli_flow_run_monitor_pause_graph_and_live_monitor(e2e: Any, accounts: Any, tmp_path: Path) -> None:
    uri = e2e.chain.provider.uri
    owner, stranger = accounts[0], accounts[2]  # tiny-hops signs as test account 0 without THOPS_PRIVATE_KEY
    assert from_private_key(ANVIL_KEYS[2]).address == stranger.address
    write_sample(tmp_path / "sample.thops.json")

    submitted = Finished.of(tiny_hops("run", "sample.thops.json", "--deposit", "20", "--rpc", uri, cwd=tmp_path))
    assert submitted.code == 0, submitted
    assert submitted.stdout_lines[-1] == "Your workflowId is : 1", submitted
    assert "sample.thops.json: 4 steps; every attempt paid: 11 ETH; depositing 20 ETH" in submitted.stdout
    workflow_id = 1
    view = e2e.client.view(workflow_id)
    assert view.owner == owner.address and view.balance_wei == 20 * ETHER - view.spent_wei

    # Read-only commands and a refused pause, at once; no provider runs, so the state holds still.
    stranger_nonce = stranger.nonce
    snapshot, intruder, drawn = (
        Finished.of(run)
        for run in [
            tiny_hops("monitor", str(workflow_id), "--json", "--rpc", uri, cwd=tmp_path),
            tiny_hops("pause", str(workflow_id), "--rpc", uri, cwd=tmp_path, THOPS_PRIVATE_KEY=ANVIL_KEYS[2]),
            tiny_hops("graph", str(workflow_id), cwd=tmp_path, THOPS_RPC_URL=uri),
        ]
    )
    assert snapshot.code == 4 and len(snapshot.stdout_lines) == 1, snapshot  # not ended yet
    data = json.loads(snapshot.stdout)
    assert (data["workflow_id"], data["owner"], data["status"]) == (workflow_id, owner.address, "running")
    assert (data["step_count"], data["completed"], data["in_flight"]) == (4, 0, 2), (
        "`tiny-hops run` (gas estimated by the node) did not start the roots: see test_estimated_gas.py"
    )
    assert (data["spent_wei"], data["escrow_wei"]) == (5 * ETHER, 15 * ETHER)  # steps 1 and 2 paid
    assert [s["step_id"] for s in data["steps"]] == [1, 2, 3, 4]
    assert [s["status"] for s in data["steps"]] == ["dispatched", "dispatched", "waiting", "waiting"]
    assert intruder.one_line_error() == f"error: only the owner of workflow 1 ({owner.address}) may pause it"
    assert stranger.nonce == stranger_nonce
    assert drawn.code == 0, drawn
    mermaid = drawn.stdout.splitlines()
    assert mermaid[0] == "flowchart TD"
    assert '    s2["picture<br/>sdxl:v0.9-lilypad1"]' in mermaid  # names the submit recorded on this machine
    assert {"    s1 --> s3", "    s2 --> s4", "    s3 --> s4"} <= set(mermaid)
    assert {"    class s1,s2 dispatched", "    class s3,s4 waiting"} <= set(mermaid)
    assert {'        legend_dispatched["dispatched"]:::dispatched', "    classDef dispatched fill:#81d4fa"} <= set(
        mermaid
    )
    assert WorkflowStatus(e2e.client.registry.getWorkflow(workflow_id).status) is WorkflowStatus.RUNNING

    paused = Finished.of(tiny_hops("pause", str(workflow_id), "--rpc", uri, cwd=tmp_path))
    assert paused.code == 0, paused
    assert paused.stdout_lines[-1] == f"Workflow {workflow_id} is now Paused"
    assert e2e.client.view(workflow_id).status is WorkflowStatus.PAUSED

    # Live monitor while paused, the provider answering the two jobs in flight, then resume: monitor ends.
    live = tiny_hops("monitor", str(workflow_id), "sample.thops.json", "--rpc", uri, cwd=tmp_path)
    child = e2e.start_provider()
    child.wait_for(lambda lines: len(job_lines(lines)) >= 2, 60, "the two jobs in flight answered")
    paused_view = e2e.client.view(workflow_id)
    assert paused_view.status is WorkflowStatus.PAUSED and live.poll() is None
    assert [s.status for s in paused_view.steps] == [StepStatus.COMPLETED] * 2 + [StepStatus.WAITING] * 2
    resumed = Finished.of(tiny_hops("resume", str(workflow_id), "--rpc", uri, cwd=tmp_path))
    assert resumed.code == 0, resumed
    watched = Finished.of(live)
    assert watched.code == 0, watched
    view = e2e.client.view(workflow_id)
    assert view.status is WorkflowStatus.COMPLETED
    assert watched.stdout_lines[-1] == (
        f"Workflow {workflow_id}: Completed, 4/4 steps, spent 7 ETH; 13 ETH refundable to {owner.address}"
    )
    assert all(step.result_cid in watched.stdout for step in view.steps)  # the final table
    assert "caption" in watched.stdout  # step names from the file
    assert child.stop() == 0
