"""The index read as the registry's views read: a `WorkflowView` (tinyhops.chain.registry_client) rebuilt from
the rows the follower wrote, for `monitor` and `graph`. They use it when the index is present and fresh (it
has the node's head block, by number and hash); otherwise they call the views, as before."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from tinyhops.index import store
from tinyhops.index.replay import PAUSED, RUNNING


def fresh_index(chain_id: int, registry: str, head_number: int, head_hash: str) -> sqlite3.Connection | None:
    """The index of this chain and registry if it has indexed exactly the node's head; else None."""
    path = store.index_file(chain_id)
    if not path.is_file():
        return None
    try:
        db = store.open_index(path, readonly=True)
        if (store.get_meta(db, "registry") or "").lower() != registry.lower():
            return None
        if int(store.get_meta(db, "last_block") or -1) != head_number:
            return None
        row = db.execute("SELECT hash FROM blocks WHERE number = ?", (head_number,)).fetchone()
        if row is None or row["hash"].lower() != head_hash.lower():
            return None
        return db
    except sqlite3.Error:
        return None


def workflow_view(db: sqlite3.Connection, workflow_id: int) -> Any:
    """The WorkflowView of `workflow_id` from the index, or None if the index has no such workflow."""
    from tinyhops.chain.registry_client import (
        FailedAttempt,
        StepStatus,
        StepView,
        WorkflowStatus,
        WorkflowView,
    )
    from tinyhops.errors import one_line

    w = db.execute("SELECT * FROM workflows WHERE workflow_id = ?", (workflow_id,)).fetchone()
    if w is None:
        return None
    rows = db.execute("SELECT * FROM steps WHERE workflow_id = ? ORDER BY step_index", (workflow_id,)).fetchall()
    steps = tuple(
        StepView(
            index=r["step_index"],
            step_id=int(r["step_id"]),
            status=StepStatus(r["status"]),
            attempts=r["attempts"],
            job_id=int(r["job_id"]),
            module=r["module"],
            cost_wei=int(r["cost"]),
            params=r["params"],
            result_cid=r["result_cid"],
            dispatched_at=r["dispatched_at"],
            failures=tuple(
                FailedAttempt(attempt, one_line(reason), bool(retry))
                for attempt, reason, retry in json.loads(r["failures"])
            ),
        )
        for r in rows
    )
    return WorkflowView(
        workflow_id=workflow_id,
        owner=w["owner"],
        status=WorkflowStatus(w["status"]),
        balance_wei=int(w["balance"]),
        spent_wei=int(w["spent"]),
        step_count=w["step_count"],
        completed=w["completed"],
        in_flight=w["in_flight"],
        queued=w["queued"],
        steps=steps,
        refunded_wei=int(w["refunded"]),
        run=w["run"],
    )


def view_of(client: Any, workflow_id: int) -> Any:
    """`client.view(workflow_id)`, read from the index when it is present, fresh and exact (see
    `queued_is_exact`); from the views otherwise, so a headline never shows a count the index cannot vouch for."""
    from ape import chain

    head = chain.provider.web3.eth.get_block("latest")
    db = fresh_index(chain.chain_id, client.deployment.registry, int(head["number"]), "0x" + bytes(head["hash"]).hex())
    if db is not None:
        try:
            view = workflow_view(db, workflow_id)
        finally:
            db.close()
        if view is not None and queued_is_exact(view.status, view.queued):
            return view
    return client.view(workflow_id)


def queued_is_exact(status: int, queued: int) -> bool:
    """Whether the index's `queued` is the registry's: always for an ended workflow or an empty queue; for a
    live one with work queued, an `advance` that only counted results towards steps that stay waiting emits no
    event, so the index may still count entries the registry has worked off (tinyhops/index/replay.py)."""
    return queued == 0 or int(status) not in (RUNNING, PAUSED)
