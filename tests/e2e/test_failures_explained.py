"""Why a workflow failed, through the real commands: every failed attempt's reason (the StepFailed event) in
`monitor` (table and --json), `ape run monitor`, `graph ID` and `inspect ID`; an expired attempt says so; steps
that never ran read as skipped or cancelled. Also: a module the Lilypad does not offer is refused before
anything is sent; a names file that is not the workflow is refused; one wording for an unknown workflow id;
`withdraw` with nothing to withdraw succeeds; only commands that sign mention THOPS_PRIVATE_KEY."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli_processes import ANVIL_KEYS, Finished, ape_run, tiny_hops, workflow_id_of

from tinyhops.spec.sample import write_sample

BAD_PARAMS = 'deterministic_wasm: params must be a CID or JSON {"wasm": CID, "args": [...]}'


def write(tmp_path: Path, name: str, document: dict[str, Any]) -> str:
    (tmp_path / f"{name}.thops.json").write_text(json.dumps(document))
    return f"{name}.thops.json"


def step(step_id: str, module: str, params: str, cost: str, **extra: Any) -> dict[str, Any]:
    return {
        "stepId": step_id,
        "stepName": f"s{step_id}",
        **extra,
        "stepModule": {"cmd": module, "params": params, "cost": cost},
    }


def failing_document() -> dict[str, Any]:
    """Step 1 runs; step 2's module fails both of its attempts; step 3, after step 2, never runs."""
    return {
        "version": "v0.0.1",
        "name": "explained",
        "steps": [
            step("1", "cowsay:v0.0.1", "moo", "1"),
            step("2", "deterministic_wasm:v0.0.1", "not a cid", "2", retries=1),
            step("3", "cowsay:v0.0.1", "after {{stepId:2}}", "1", needs=["2"]),
        ],
    }


def test_every_failed_attempt_is_explained_by_monitor_graph_and_inspect(e2e: Any, tmp_path: Path) -> None:
    uri = e2e.chain.provider.uri
    file = write(tmp_path, "explained", failing_document())
    child = e2e.start_provider()
    waited = Finished.of(tiny_hops("run", file, "--wait", "--rpc", uri, cwd=tmp_path), timeout=180)
    assert waited.code == 2, waited
    workflow_id = workflow_id_of(waited)
    for attempt in (1, 2):
        assert f"step 2: attempt {attempt} failed: {BAD_PARAMS}" in waited.stdout, waited

    runs = [
        tiny_hops("monitor", str(workflow_id), file, "--json", "--rpc", uri, cwd=tmp_path),
        ape_run("monitor", str(workflow_id), chain_uri=uri),
        tiny_hops("graph", str(workflow_id), file, "--rpc", uri, cwd=tmp_path),
        tiny_hops("inspect", str(workflow_id), "--rpc", uri, cwd=tmp_path),
    ]
    snapshot, ape_monitored, drawn, inspected = (Finished.of(run, timeout=120) for run in runs)

    assert snapshot.code == 2, snapshot
    data = json.loads(snapshot.stdout)
    assert data["name"] == "explained" and data["status"] == "failed"
    assert [s["status"] for s in data["steps"]] == ["completed", "failed", "skipped"]
    assert [s["name"] for s in data["steps"]] == ["s1", "s2", "s3"]
    assert data["steps"][0]["failures"] == data["steps"][2]["failures"] == []
    assert data["steps"][1]["failures"] == [
        {"attempt": 1, "reason": BAD_PARAMS, "will_retry": True, "expired": False},
        {"attempt": 2, "reason": BAD_PARAMS, "will_retry": False, "expired": False},
    ]

    assert ape_monitored.code == 2, ape_monitored
    assert f"step 2: attempt 2 failed: {BAD_PARAMS}" in ape_monitored.stdout, ape_monitored

    assert drawn.code == 0, drawn
    labels = drawn.stdout.splitlines()
    (failed_node,) = [line for line in labels if line.startswith("    s2[")]
    expected = '    s2["s2<br/>deterministic_wasm:v0.0.1<br/>attempt 2 failed: deterministic_wasm:'
    assert failed_node.startswith(expected), drawn
    assert {"    class s2 failed", "    class s3 skipped", "    class s1 completed"} <= set(labels), drawn

    assert inspected.code == 0, inspected
    assert f"step 2: attempt 1 failed: {BAD_PARAMS}" in inspected.stdout, inspected
    assert "skipped" in inspected.stdout and "Failed" in inspected.stdout, inspected
    assert child.stop() == 0


def test_an_expired_attempt_says_it_expired(e2e: Any, tmp_path: Path) -> None:
    uri = e2e.chain.provider.uri
    document = {"version": "v0.0.1", "steps": [step("1", "cowsay:v0.0.1", "hi", "1", timeout=1)]}
    file = write(tmp_path, "expiring", document)
    child = e2e.start_provider("--faults", "1:0:1")  # every job left unanswered: the provider's keeper expires it
    waited = Finished.of(tiny_hops("run", file, "--wait", "--rpc", uri, cwd=tmp_path), timeout=180)
    assert waited.code == 2, waited
    assert "step 1: attempt 1 expired: no answer within the step's timeout" in waited.stdout, waited
    snapshot = Finished.of(tiny_hops("monitor", str(workflow_id_of(waited)), "--json", "--rpc", uri, cwd=tmp_path))
    (failure,) = json.loads(snapshot.stdout)["steps"][0]["failures"]
    assert failure == {"attempt": 1, "reason": "expired", "will_retry": False, "expired": True}, snapshot
    assert child.stop() == 0


def chain_state(e2e: Any, *accounts: Any) -> tuple[int, int, tuple[int, ...]]:
    return (
        int(e2e.chain.blocks.height),
        int(e2e.client.registry.workflowCount()),
        tuple(int(account.nonce) for account in accounts),
    )


def test_a_module_the_lilypad_does_not_offer_is_refused_before_sending(e2e: Any, accounts: Any, tmp_path: Path) -> None:
    uri = e2e.chain.provider.uri
    document = failing_document()
    document["steps"][2]["stepModule"]["cmd"] = "no-such-module:v1"
    file = write(tmp_path, "unknown", document)
    before = chain_state(e2e, accounts[0], e2e.user)
    runs = [
        tiny_hops("run", file, "--rpc", uri, cwd=tmp_path),
        ape_run("submit", tmp_path / file, chain_uri=uri, THOPS_PRIVATE_KEY=ANVIL_KEYS[1]),
    ]
    expected = (
        f"error: step 3: module 'no-such-module:v1' is not offered by the Lilypad at {e2e.deployment.lilypad} "
        "(it has no price for it)"
    )
    for refused in (Finished.of(run) for run in runs):
        assert refused.one_line_error() == expected, refused
        assert "workflowId" not in refused.stdout, refused
    assert chain_state(e2e, accounts[0], e2e.user) == before  # nothing mined, nothing signed


def test_small_things_a_user_met(e2e: Any, tmp_path: Path) -> None:
    uri = e2e.chain.provider.uri
    write_sample(tmp_path / "sample.thops.json")  # no provider runs: steps 1 and 2 stay dispatched
    other = write(tmp_path, "other", failing_document())
    submitted = Finished.of(tiny_hops("run", "sample.thops.json", "--rpc", uri, cwd=tmp_path))
    assert submitted.code == 0, submitted
    workflow_id = workflow_id_of(submitted)
    registry = e2e.deployment.registry

    runs = [
        tiny_hops("monitor", str(workflow_id), other, "--rpc", uri, cwd=tmp_path),
        tiny_hops("graph", str(workflow_id), other, "--rpc", uri, cwd=tmp_path),
        tiny_hops("monitor", "7", "--rpc", uri, cwd=tmp_path),
        tiny_hops("graph", "7", "--rpc", uri, cwd=tmp_path),
        tiny_hops("pause", "7", "--rpc", uri, cwd=tmp_path),
        tiny_hops("inspect", "7", "--rpc", uri, cwd=tmp_path),
        tiny_hops("withdraw", "--rpc", uri, cwd=tmp_path),
        tiny_hops("monitor", "--help", cwd=tmp_path),
        tiny_hops("graph", "--help", cwd=tmp_path),
        tiny_hops("cancel", "--help", cwd=tmp_path),
    ]
    wrong_monitor, wrong_graph, *unknown, nothing, monitor_help, graph_help, cancel_help = map(Finished.of, runs)
    mismatch = f"error: other.thops.json is not workflow {workflow_id}'s definition: it has 3 steps, the workflow 4"
    assert wrong_monitor.one_line_error() == wrong_graph.one_line_error() == mismatch
    for refused in unknown:
        assert refused.one_line_error() == (
            f"error: there is no workflow 7 on registry {registry} (ids 1 to {workflow_id} are issued)"
        ), refused
    assert nothing.code == 0 and nothing.stderr == "", nothing
    assert nothing.stdout_lines[-1].startswith("nothing to withdraw: 0x"), nothing
    assert "THOPS_PRIVATE_KEY" not in monitor_help.stdout + graph_help.stdout
    assert "THOPS_PRIVATE_KEY signs" in cancel_help.stdout

    runs = [
        tiny_hops("monitor", str(workflow_id), "sample.thops.json", "--json", "--rpc", uri, cwd=tmp_path),
        tiny_hops("graph", str(workflow_id), "sample.thops.json", "--rpc", uri, cwd=tmp_path),
    ]
    named, drawn = map(Finished.of, runs)
    assert named.code == 4 and json.loads(named.stdout)["name"] == "cow-meme"
    assert "escrow_wei" in json.loads(named.stdout) and "balance_wei" not in json.loads(named.stdout)
    assert drawn.code == 0 and '    s2["picture<br/>sdxl:v0.9-lilypad1"]' in drawn.stdout.splitlines(), drawn

    cancelled = Finished.of(tiny_hops("cancel", str(workflow_id), "--rpc", uri, cwd=tmp_path))
    assert cancelled.code == 0 and cancelled.stdout_lines[-1] == f"Workflow {workflow_id} is now Cancelled"
    runs = [
        tiny_hops("cancel", str(workflow_id), "--rpc", uri, cwd=tmp_path),
        tiny_hops("monitor", str(workflow_id), "sample.thops.json", "--rpc", uri, cwd=tmp_path),
        tiny_hops("monitor", str(workflow_id), "--json", "--rpc", uri, cwd=tmp_path),
    ]
    again, table, snapshot = map(Finished.of, runs)
    assert again.one_line_error() == f"error: workflow {workflow_id} is Cancelled: it cannot be cancelled now"
    assert table.code == 3 and "cow-meme" in table.stdout, table
    statuses = [s["status"] for s in json.loads(snapshot.stdout)["steps"]]
    assert statuses == ["cancelled", "cancelled", "skipped", "skipped"], snapshot  # in flight, never ran

    withdrew = Finished.of(tiny_hops("withdraw", "--rpc", uri, cwd=tmp_path))
    assert withdrew.code == 0 and withdrew.stdout_lines[-1].startswith("withdrew "), withdrew
