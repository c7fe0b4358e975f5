"""The indexer rebuilds every workflow from logs and definition code alone, and agrees with the registry's views
field by field: a representative mix of the reliability suite's shapes (chains, fan-outs wide enough to queue
notifications, fans, random DAGs, the sample with its sdxl step and references), with injected job failures
(retried, and some workflows failing), a paused workflow whose results queue up, a cancelled one redriven (its
run two, with its run one's in-flight job answered late), a cacheable chain submitted twice (the second time
served from the result cache); and a reorg (the chain reverted under the index and mined differently) that the
index rewinds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cli_processes import tiny_hops

from tinyhops import spec
from tinyhops.index import store
from tinyhops.index.views import fresh_index
from tinyhops.provider.faults import FaultPlan
from tinyhops.spec.sample import sample_document
from tinyhops.testing import shapes
from tinyhops.testing.index_check import differences, index_deployment
from tinyhops.testing.reliability.progress import wait_while_progressing
from tinyhops.testing.reliability.record import seed, soak
from tinyhops.ui.data import workflow_detail

OWNER = 1


def with_retries(document: dict[str, Any], retries: int) -> dict[str, Any]:
    for entry in document["steps"]:
        for step in entry if isinstance(entry, list) else [entry]:
            step["retries"] = retries
    return document


def cacheable(document: dict[str, Any]) -> dict[str, Any]:
    for entry in document["steps"]:
        for step in entry if isinstance(entry, list) else [entry]:
            step["cacheable"] = True
    return document


def representative_mix() -> list[spec.Workflow]:
    """Every kind of check at the default profile (a chain, a fan-out wide enough to queue notifications and a
    random DAG, both retrying injected failures, the sample; the last one is cancelled); TINYHOPS_SOAK=1 runs
    them larger, with more of each."""
    if soak():
        documents = [
            shapes.chain(4),
            with_retries(shapes.fan_out(7), 1),
            shapes.fan(6),
            with_retries(shapes.random_dag(9, seed=seed()), 2),
            sample_document(),
            shapes.chain(3),
        ]
    else:
        documents = [
            with_retries(shapes.fan_out(5), 1),
            with_retries(shapes.random_dag(6, seed=seed()), 2),
            sample_document(),
            shapes.chain(2),
        ]
    return [spec.load(d) for d in documents]


def test_the_index_rebuilds_every_workflow_of_a_representative_mix_as_the_views_read(
    harness: Any, tmp_path: Path
) -> None:
    stack, chain, key = harness.stack, harness.chain, harness.keys[OWNER]
    paused, _ = stack.submit(key, spec.load(shapes.fan_out(9)))
    stack.registry.send(key, "pause", paused)
    cached = spec.load(with_retries(cacheable(shapes.chain(3)), 2))
    ids = [stack.submit(key, w)[0] for w in (cached, *representative_mix())]
    cancelled = ids[-1]
    stack.registry.send(key, "cancel", cancelled)
    harness.start_provider("--faults", str(FaultPlan(seed(), 0.25, 0.0))).wait_ready()

    # The paused workflow's in-flight roots answer; their results queue notifications instead of dispatching.
    wait_while_progressing(lambda: stack.registry.call("getWorkflow", paused).inFlightCount == 0, chain.block_number)
    follower = index_deployment(chain.url, harness.deployment, tmp_path)
    assert stack.registry.call("getWorkflow", paused).queuedCount > 0
    assert differences(follower, stack.registry, [paused]) == []

    stack.registry.send(key, "resume", paused)
    statuses = stack.wait_final([paused, *ids])
    assert all(s.final for s in statuses.values()), statuses
    assert {s.name for s in statuses.values()} >= {"COMPLETED", "CANCELLED"}
    # The cacheable chain again: served from the cache at submit and by `advance` (a keeper's), no job needed.
    resubmitted, _ = stack.submit(key, cached)
    while not stack.status(resubmitted).final and stack.registry.call("getWorkflow", resubmitted).queuedCount:
        stack.registry.send(key, "advance", resubmitted, 8)
    assert stack.wait_final([resubmitted])[resubmitted].final
    if statuses[ids[0]].name == "COMPLETED":  # the first run filled the cache: nothing of the second ran
        assert all(step.attempts == 0 for step in stack.registry.call("getSteps", resubmitted))
    ids.append(resubmitted)
    follower.sync()
    assert differences(follower, stack.registry, [paused, *ids]) == []
    # The dashboard marks exactly the steps served from the cache.
    detail = workflow_detail(follower.db, resubmitted)
    assert detail is not None
    served = [s.status == 3 and s.attempts == 0 for s in stack.registry.call("getSteps", resubmitted)]  # Completed
    assert [s["cached"] for s in detail["steps"]] == served

    # The cancelled workflow's next run: its late answer and refund came in run one, run two runs it anew.
    stack.redrive(key, cancelled)
    assert stack.registry.call("getWorkflow", cancelled).run == 2
    assert stack.wait_final([cancelled])[cancelled].final
    follower.sync()
    assert follower.db.execute("SELECT run FROM workflows WHERE workflow_id = ?", (cancelled,)).fetchone()[0] == 2
    assert differences(follower, stack.registry, [paused, *ids]) == []
    # A fresh index from nothing, in pages of a few blocks, comes to the same.
    again = index_deployment(chain.url, harness.deployment, tmp_path / "paged", page_blocks=7)
    assert differences(again, stack.registry, [paused, *ids]) == []

    # `monitor --json` and `graph` print the same from the views and from a fresh index in the state directory.
    shown = (paused, *ids) if soak() else (paused, ids[0], ids[-1])  # a fan-out and the cancelled one
    commands = [("monitor", str(i), "--json") for i in (*shown, resubmitted)]
    commands += [("graph", str(paused)), ("graph", str(resubmitted))]
    before = [_run(cmd, chain.url, tmp_path) for cmd in commands]
    caught_up = _run(("index", "--once"), chain.url, tmp_path)
    assert caught_up.startswith("indexed ") and str(harness.home) in caught_up
    head = chain.request("eth_getBlockByNumber", ["latest", False])
    assert fresh_index(chain.chain_id, harness.deployment.registry, int(head["number"], 16), head["hash"]) is not None
    assert store.index_file(chain.chain_id, harness.home).is_file()
    assert [_run(cmd, chain.url, tmp_path) for cmd in commands] == before


def _run(command: tuple[str, ...], url: str, cwd: Path) -> str:
    child = tiny_hops(*command, "--rpc", url, cwd=cwd)
    out, err = child.communicate(timeout=120)
    assert child.returncode in (0, 2, 3), err
    return out


def test_the_index_rewinds_a_reorg_and_follows_the_new_branch(harness: Any, tmp_path: Path) -> None:
    stack, chain, key = harness.stack, harness.chain, harness.keys[OWNER]
    kept, _ = stack.submit(key, spec.load(shapes.chain(2)))
    dropped, _ = stack.submit(key, spec.load(shapes.fan(3)))
    stack.registry.send(key, "cancel", dropped)
    follower = index_deployment(chain.url, harness.deployment, tmp_path)
    assert follower.db.execute("SELECT count(*) FROM workflows").fetchone()[0] == 2

    chain.request("anvil_reorg", [2, []])  # the last two blocks (the submit and the cancel) replaced by empty ones
    replaced, _ = stack.submit(key, spec.load(shapes.chain(5)))  # the same id, at the same height, mined anew
    assert replaced == dropped
    report = follower.sync()
    assert report.rewound_to is not None and report.rewound_to < chain.block_number()
    assert differences(follower, stack.registry, [kept, replaced]) == []
    assert follower.db.execute("SELECT step_count FROM workflows WHERE workflow_id = ?", (replaced,)).fetchone()[0] == 5


@pytest.mark.parametrize("backend", ["v2"])
def test_the_index_rebuilds_a_v2_deployment_paid_in_tokens_as_the_views_read(harness: Any, tmp_path: Path) -> None:
    """Lilypad v2 (LilypadV2Registry on LocalLilypadV2, token escrow, the provider as the job creator's controller):
    the same events rebuild the same workflows; money in token units, a cancelled workflow's refund included."""
    stack, chain, key = harness.stack, harness.chain, harness.keys[OWNER]
    assert harness.deployment.backend == "v2" and stack.token is not None
    ids = [stack.submit(key, spec.load(d))[0] for d in (sample_document(), shapes.fan_out(4), shapes.chain(2))]
    stack.registry.send(key, "cancel", ids[-1])
    harness.start_provider().wait_ready()
    statuses = stack.wait_final(ids)
    assert [s.name for s in statuses.values()] == ["COMPLETED", "COMPLETED", "CANCELLED"], statuses
    follower = index_deployment(chain.url, harness.deployment, tmp_path)
    assert differences(follower, stack.registry, ids) == []
    refunded = follower.db.execute("SELECT refunded FROM workflows WHERE workflow_id = ?", (ids[-1],)).fetchone()
    assert int(refunded[0]) > 0  # the cancelled workflow's unspent tokens, as its Refunded event says
