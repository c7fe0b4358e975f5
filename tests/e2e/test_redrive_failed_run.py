"""Redrive through the real commands and the real provider process: a workflow whose second step's job fails
(the provider's fault plan) ends Failed with its first step's result; `tiny-hops redrive` starts run 2, which
the provider (no faults now) runs to completion, the first result kept; bad redrives are one line, exit 1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli_processes import ANVIL_KEYS, Finished, ape_run, tiny_hops, workflow_id_of

from tinyhops.chain.registry_client import StepStatus, WorkflowStatus
from tinyhops.cli import exit_codes
from tinyhops.provider.faults import Fault, FaultPlan
from tinyhops.testing import shapes
from tinyhops.testing.provider_process import job_lines


def plan_failing_only_step_two(workflow_id: int) -> FaultPlan:
    """A fault plan under which the first attempt of step position 1 fails and that of position 0 does not."""
    for seed in range(10_000):
        plan = FaultPlan(seed, 0.5, 0.0)
        if plan.decide((workflow_id, 0, 1)) is Fault.NONE and plan.decide((workflow_id, 1, 1)) is Fault.FAIL:
            return plan
    raise AssertionError("no seed fails only step two")


def test_a_failed_workflow_is_redriven_from_its_failed_step_and_completes(e2e: Any, tmp_path: Path) -> None:
    uri, registry = e2e.chain.provider.uri, e2e.client.registry
    (tmp_path / "chain.thops.json").write_text(json.dumps(shapes.chain(2)))
    workflow_id = int(registry.workflowCount()) + 1
    faulty = e2e.start_provider("--faults", str(plan_failing_only_step_two(workflow_id)))
    run = Finished.of(tiny_hops("run", "chain.thops.json", "--wait", "--rpc", uri, cwd=tmp_path), timeout=180)
    assert run.code == exit_codes.FAILED and workflow_id_of(run) == workflow_id, run
    assert faulty.stop() == 0
    failed = e2e.client.view(workflow_id)
    assert [s.status for s in failed.steps] == [StepStatus.COMPLETED, StepStatus.FAILED]
    first_result = failed.steps[0].result_cid

    refusals = [
        tiny_hops("redrive", str(workflow_id), "--deposit", "0.5", "--rpc", uri, cwd=tmp_path),
        tiny_hops("redrive", str(workflow_id + 1), "--rpc", uri, cwd=tmp_path),
        tiny_hops("redrive", str(workflow_id), "--deposit", "lots", "--rpc", uri, cwd=tmp_path),
    ]
    short, unknown, garbled = (Finished.of(child).one_line_error() for child in refusals)
    assert "does not cover every attempt of the steps to redrive: 1 ETH is needed" in short, short
    assert f"there is no workflow {workflow_id + 1}" in unknown, unknown
    assert garbled.startswith("error: --deposit"), garbled
    assert e2e.client.view(workflow_id).status is WorkflowStatus.FAILED

    healthy = e2e.start_provider()
    redriven = Finished.of(tiny_hops("redrive", str(workflow_id), "--rpc", uri, cwd=tmp_path), timeout=120)
    assert redriven.code == 0, redriven
    assert redriven.stdout_lines[-1].startswith(
        f"Workflow {workflow_id}: run 2 started, 1 step back in play, 1 kept; now "
    ), redriven
    monitored = Finished.of(tiny_hops("monitor", str(workflow_id), "--rpc", uri, cwd=tmp_path), timeout=180)
    assert monitored.code == exit_codes.OK, monitored
    assert monitored.stdout_lines[-1].startswith(f"Workflow {workflow_id}: Completed (run 2), 2/2 steps"), monitored
    done = e2e.client.view(workflow_id)
    assert (done.status, done.run, done.steps[0].result_cid) == (WorkflowStatus.COMPLETED, 2, first_result)
    assert done.steps[1].result_cid and done.steps[1].attempts == 1
    snapshot = Finished.of(tiny_hops("monitor", str(workflow_id), "--json", "--rpc", uri, cwd=tmp_path))
    snapshot = json.loads(snapshot.stdout)
    assert (snapshot["run"], snapshot["status"]) == (2, "completed")
    graph = Finished.of(tiny_hops("graph", str(workflow_id), "--rpc", uri, cwd=tmp_path))
    assert graph.code == 0 and f"title: workflow {workflow_id}, run 2" in graph.stdout, graph

    again = Finished.of(ape_run("redrive", str(workflow_id), chain_uri=uri), timeout=120)
    assert again.code == exit_codes.ERROR and "Traceback" not in again.stdout + again.stderr, again
    assert f"workflow {workflow_id} is Completed: it cannot be redriven now" in again.stderr, again
    assert healthy.stop() == 0


def test_a_v2_workflow_whose_step_expired_is_redriven_in_tokens_and_completes(e2e_v2: Any, tmp_path: Path) -> None:
    """Lilypad v2 has no failure callback: the faulty job is left unanswered and expires; the redrive pulls its
    top-up in the job creator's token (the CLI approves it first) and the provider runs the step again."""
    e2e, uri = e2e_v2, e2e_v2.chain.provider.uri
    document = shapes.chain(2)
    for entry in document["steps"]:
        entry["timeout"] = 30
    (tmp_path / "chain.thops.json").write_text(json.dumps(document))
    owner = {"THOPS_PRIVATE_KEY": ANVIL_KEYS[1]}
    workflow_id = int(e2e.client.registry.workflowCount()) + 1
    faulty = e2e.start_provider("--faults", str(plan_failing_only_step_two(workflow_id)))
    ran = Finished.of(tiny_hops("run", "chain.thops.json", "--rpc", uri, cwd=tmp_path, **owner), timeout=120)
    assert workflow_id_of(ran) == workflow_id, ran
    faulty.wait_for(lambda lines: len(job_lines(lines)) >= 2, 60, "both jobs taken")
    e2e.chain.mine(deltatime=31)  # past step two's deadline: the provider's keeper expires it
    failed = e2e.wait_final(workflow_id, faulty)
    assert [s.status for s in failed.steps] == [StepStatus.COMPLETED, StepStatus.FAILED], failed
    assert faulty.stop() == 0

    healthy = e2e.start_provider()
    before = int(e2e.client.token.balanceOf(e2e.user.address))
    redriven = Finished.of(tiny_hops("redrive", str(workflow_id), "--rpc", uri, cwd=tmp_path, **owner), 120)
    assert redriven.code == 0 and "run 2 started, 1 step back in play, 1 kept; now " in redriven.stdout, redriven
    assert int(e2e.client.token.balanceOf(e2e.user.address)) == before - 10**18  # one attempt of step two
    done = e2e.wait_final(workflow_id, healthy)
    assert (done.status, done.run, done.steps[0].result_cid) == (
        WorkflowStatus.COMPLETED, 2, failed.steps[0].result_cid,
    )
    assert healthy.stop() == 0
