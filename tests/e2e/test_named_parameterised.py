"""A workflow with named steps and parameters, end to end: `tiny-hops run FILE --param ...` on the test chain
with the real provider; the chain got the values, not the placeholders; another contract's way to a named step's
result, `resultOf(workflowId, uint64(bytes8(keccak256(name))))`, gives it; and the commands that only have the
chain's numbers show the names this machine recorded when it submitted; the index keeps the uint64 ids."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from cli_processes import Finished, ape_run, tiny_hops
from Crypto.Hash import keccak

from tinyhops.chain.registry_client import WorkflowStatus
from tinyhops.index.views import workflow_view
from tinyhops.paths import PROJECT_ROOT
from tinyhops.testing.index_check import index_deployment
from tinyhops.ui.data import workflow_detail

EXAMPLE = "named-steps-and-parameters.thops.json"


def derived_id(name: str) -> int:
    """uint64(bytes8(keccak256(bytes(name)))), computed here without Tiny Hops."""
    return int.from_bytes(keccak.new(data=name.encode(), digest_bits=256).digest()[:8], "big")


def test_a_named_parameterised_workflow_runs_and_its_steps_are_found_by_name(e2e: Any, tmp_path: Path) -> None:
    uri = e2e.chain.provider.uri
    shutil.copy(PROJECT_ROOT / "examples" / EXAMPLE, tmp_path / EXAMPLE)
    refusals = [
        tiny_hops("run", EXAMPLE, "--param", "seed=many", "--rpc", uri, cwd=tmp_path),
        ape_run("submit", tmp_path / EXAMPLE, "--param", "take=9", chain_uri=uri),
    ]
    wrong_type, outside_enum = (Finished.of(run) for run in refusals)
    assert wrong_type.one_line_error() == (
        f"error: {EXAMPLE}: $.parameters.seed: parameter 'seed' is a whole number; not \"many\""
    )
    assert outside_enum.one_line_error() == (
        f"error: {tmp_path / EXAMPLE}: $.parameters.take: parameter 'take' is one of 1, 2, 3; not \"9\""
    )
    assert int(e2e.client.registry.workflowCount()) == 0  # nothing sent

    child = e2e.start_provider()
    arguments = ("--param", "topic=milk", "--param", "seed=3", "--param", "take=2")
    ran = Finished.of(tiny_hops("run", EXAMPLE, *arguments, "--wait", "--rpc", uri, cwd=tmp_path), timeout=180)
    assert ran.code == 0, ran
    workflow_id = int(e2e.client.registry.workflowCount())
    view = e2e.client.view(workflow_id)
    assert view.status is WorkflowStatus.COMPLETED
    joke_id, cow_id = derived_id("fetch-joke"), derived_id("cow-says")
    assert [s.step_id for s in view.steps] == [joke_id, cow_id]
    assert '"Topic": "milk", "Seed": "3"' in view.steps[0].params and "{{param" not in view.steps[0].params

    joke_cid, cow_cid = (str(e2e.client.registry.resultOf(workflow_id, i)) for i in (joke_id, cow_id))
    assert (joke_cid, cow_cid) == (view.steps[0].result_cid, view.steps[1].result_cid)
    joke = e2e.store.get(f"{joke_cid}/stdout").decode().strip()
    told = e2e.store.get(f"{cow_cid}/stdout").decode()
    assert joke and "(take 2)" in told and joke.split()[0] in told, (joke, told)
    assert "cow-says" in ran.stdout and "fetch-joke" in ran.stdout  # the followed table names the steps

    snapshot, drawn, inspected = (
        Finished.of(run)
        for run in [
            tiny_hops("monitor", str(workflow_id), "--json", "--rpc", uri, cwd=tmp_path),
            tiny_hops("graph", str(workflow_id), "--rpc", uri, cwd=tmp_path),
            tiny_hops("inspect", str(workflow_id), "--rpc", uri, cwd=tmp_path),
        ]
    )
    assert inspected.code == 0, inspected
    assert [line.split("│")[2].strip() for line in inspected.stdout_lines if "joke:v0.0.1" in line][:1] == [
        "fetch-joke"
    ], inspected  # the submitted DAG's step column
    assert snapshot.code == 0, snapshot
    steps = json.loads(snapshot.stdout)["steps"]
    assert [(s["step_id"], s.get("id_name"), s.get("name")) for s in steps] == [
        (joke_id, "fetch-joke", "joke"),
        (cow_id, "cow-says", "cow"),
    ]
    assert drawn.code == 0 and f'    s{joke_id}["joke<br/>joke:v0.0.1"]' in drawn.stdout.splitlines(), drawn
    assert child.stop() == 0

    # The index holds uint64 ids past SQLite's signed INTEGER; the dashboard labels the steps by name.
    follower = index_deployment(uri, e2e.deployment, tmp_path / "index")
    indexed = workflow_view(follower.db, workflow_id)
    assert [(s.step_id, s.result_cid) for s in indexed.steps] == [(joke_id, joke_cid), (cow_id, cow_cid)]
    detail = workflow_detail(follower.db, workflow_id)
    assert detail is not None
    assert [(s["id"], s["label"]) for s in detail["steps"]] == [(str(joke_id), "fetch-joke"), (str(cow_id), "cow-says")]


def test_on_lilypad_v2_a_named_step_is_found_by_its_derived_id_too(e2e_v2: Any, tmp_path: Path) -> None:
    uri = e2e_v2.chain.provider.uri
    shutil.copy(PROJECT_ROOT / "examples" / EXAMPLE, tmp_path / EXAMPLE)
    child = e2e_v2.start_provider()
    ran = Finished.of(
        tiny_hops("run", EXAMPLE, "--param", "topic=grass", "--wait", "--rpc", uri, cwd=tmp_path), timeout=180
    )
    assert ran.code == 0, ran
    workflow_id = int(e2e_v2.client.registry.workflowCount())
    view = e2e_v2.client.view(workflow_id)
    assert view.status is WorkflowStatus.COMPLETED
    assert "Topic=grass" in view.steps[0].params  # v2's Key=Value inputs, the value resolved
    cid = str(e2e_v2.client.registry.resultOf(workflow_id, derived_id("cow-says")))
    assert cid == view.steps[1].result_cid and "(take 1)" in e2e_v2.store.get(f"{cid}/stdout").decode()
    assert child.stop() == 0
