"""The index against the registry's views, field by field: what the tests use to show the indexer rebuilds
every workflow from logs (and definition code) alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tinyhops.chain.address_book import Deployment
from tinyhops.index import store
from tinyhops.index.follower import Follower
from tinyhops.index.rpc import Rpc

SUMMARY_FIELDS = {  # WorkflowSummary field -> workflows column
    "owner": "owner",
    "status": "status",
    "balance": "balance",
    "spent": "spent",
    "stepCount": "step_count",
    "completedCount": "completed",
    "inFlightCount": "in_flight",
    "queuedCount": "queued",
    "createdAt": "created_at",
    "refunded": "refunded",
    "run": "run",
}
STEP_FIELDS = {  # StepState field -> steps column
    "stepId": "step_id",
    "status": "status",
    "attempts": "attempts",
    "dispatchedAt": "dispatched_at",
    "jobId": "job_id",
    "module": "module",
    "cost": "cost",
    "timeout": "timeout",
    "retries": "retries",
    "params": "params",
    "resultCid": "result_cid",
}


def index_deployment(url: str, deployment: Deployment, folder: Path, page_blocks: int = 2_000) -> Follower:
    """A fresh index of `deployment` in `folder`, caught up to the node's head."""
    rpc = Rpc(url)
    follower = Follower(rpc, store.open_index(folder / "index.sqlite"), deployment, page_blocks)
    follower.sync()
    return follower


def differences(follower: Follower, registry: Any, workflow_ids: list[int]) -> list[str]:
    """Every field where the index and the registry's views disagree (`registry`: a rawchain Contract)."""
    found = []
    db = follower.db
    for workflow_id in workflow_ids:
        row = db.execute("SELECT * FROM workflows WHERE workflow_id = ?", (workflow_id,)).fetchone()
        if row is None:
            found.append(f"workflow {workflow_id}: not in the index")
            continue
        summary = registry.call("getWorkflow", workflow_id)
        for field, column in SUMMARY_FIELDS.items():
            if _same(getattr(summary, field), row[column]) is False:
                found.append(f"workflow {workflow_id} {field}: view {getattr(summary, field)!r}, index {row[column]!r}")
        steps = db.execute(
            "SELECT * FROM steps WHERE workflow_id = ? ORDER BY step_index", (workflow_id,)
        ).fetchall()
        views = registry.call("getSteps", workflow_id)
        if len(steps) != len(views):
            found.append(f"workflow {workflow_id}: {len(views)} steps in the views, {len(steps)} indexed")
            continue
        for index, (view, step) in enumerate(zip(views, steps, strict=True)):
            for field, column in STEP_FIELDS.items():
                if _same(getattr(view, field), step[column]) is False:
                    found.append(
                        f"workflow {workflow_id} step {index} {field}: view {getattr(view, field)!r}, "
                        f"index {step[column]!r}"
                    )
    return found


def _same(view: Any, indexed: Any) -> bool:
    if isinstance(view, int) and not isinstance(view, bool):
        return view == int(indexed)
    if isinstance(view, str) and view.startswith("0x"):
        return view.lower() == str(indexed).lower()
    return view == indexed
