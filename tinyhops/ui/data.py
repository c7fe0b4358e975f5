"""What the dashboard shows, read from the index: plain dicts, ready for JSON and for the HTML pages."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from typing import Any

from tinyhops.chain import step_labels
from tinyhops.index import store
from tinyhops.index.views import queued_is_exact
from tinyhops.spec.units import format_wei

WORKFLOW_STATUS = {0: "none", 1: "running", 2: "paused", 3: "completed", 4: "failed", 5: "cancelled"}
STEP_STATUS = {0: "waiting", 1: "ready", 2: "dispatched", 3: "completed", 4: "failed", 5: "skipped", 6: "cancelled"}


TOKEN_DECIMALS = 18  # LocalLilypadToken's and Lilypad's LP token's


def _money(value: str | int, token: bool = False) -> dict[str, Any]:
    """An amount as the page shows it: ether (v1, whose escrow is ether) or token units (v2's token escrow)."""
    return {"wei": str(value), "text": format_token(int(value)) if token else format_wei(int(value))}


def format_token(units: int) -> str:
    whole = f"{Decimal(units) / 10**TOKEN_DECIMALS:f}"
    if "." in whole:
        whole = whole.rstrip("0").rstrip(".")
    return f"{whole} tokens"


def paid_in_tokens(db: sqlite3.Connection) -> bool:
    """Whether the indexed deployment escrows a token (a v2 registry) rather than ether."""
    return store.get_meta(db, "registry_contract") == "LilypadV2Registry"


def workflow_row(row: sqlite3.Row, token: bool = False) -> dict[str, Any]:
    deposited = int(row["deposited"])
    return {
        "id": row["workflow_id"],
        "name": ", ".join(json.loads(row["modules"])),
        "owner": row["owner"],
        "status": WORKFLOW_STATUS.get(row["status"], "unknown"),
        "steps": row["step_count"],
        "completed": row["completed"],
        "in_flight": row["in_flight"],
        "queued": row["queued"],
        "queued_exact": queued_is_exact(row["status"], row["queued"]),
        "progress": f"{row['completed']}/{row['step_count']}",
        "deposit": _money(deposited, token),
        "spent": _money(row["spent"], token),
        "escrow": _money(row["balance"], token),
        "refunded": _money(row["refunded"], token),
        "started": row["created_at"],
        "finished": row["finished_at"],
        "updated_block": row["updated_block"],
        "run": row["run"],
    }


def workflows(db: sqlite3.Connection, status: str | None = None, owner: str | None = None,
              text: str | None = None) -> list[dict[str, Any]]:
    """Every indexed workflow, newest first, filtered by status, owner (prefix, any case) and module text."""
    token = paid_in_tokens(db)
    rows = [workflow_row(r, token) for r in db.execute("SELECT * FROM workflows ORDER BY workflow_id DESC")]
    if status:
        rows = [r for r in rows if r["status"] == status.lower()]
    if owner:
        rows = [r for r in rows if r["owner"].lower().startswith(owner.lower())]
    if text:
        rows = [r for r in rows if text.lower() in r["name"].lower() or text == str(r["id"])]
    return rows


def workflow_detail(db: sqlite3.Connection, workflow_id: int) -> dict[str, Any] | None:
    """One workflow: its summary, steps (with attempts), events timeline and money."""
    row = db.execute("SELECT * FROM workflows WHERE workflow_id = ?", (workflow_id,)).fetchone()
    if row is None:
        return None
    token = paid_in_tokens(db)
    attempts: dict[int, list[dict[str, Any]]] = {}
    for a in db.execute(
        "SELECT * FROM attempts WHERE workflow_id = ? ORDER BY step_index, run, attempt", (workflow_id,)
    ):
        attempts.setdefault(a["step_index"], []).append(
            {
                "run": a["run"], "attempt": a["attempt"], "job_id": a["job_id"], "cost": _money(a["cost"], token),
                "params": a["params"],
                "dispatched_at": a["dispatched_at"], "dispatched_block": a["dispatched_block"],
                "outcome": a["outcome"], "reason": a["reason"], "cid": a["cid"], "ended_at": a["ended_at"],
            }
        )
    rows = db.execute("SELECT * FROM steps WHERE workflow_id = ? ORDER BY step_index", (workflow_id,)).fetchall()
    labels = _labels(db, workflow_id, rows)
    steps = [
        {
            # A step id is a uint64, more than a JavaScript number holds exactly: the page gets it as text, and
            # a named step's name (recorded when this machine submitted it) as its label.
            "index": s["step_index"], "id": str(s["step_id"]), "label": labels.label(int(s["step_id"])),
            "status": STEP_STATUS.get(s["status"], "unknown"),
            # Served from the registry's result cache: completed without an attempt (a step is looked up only
            # at its first dispatch); `job_id` is then the job whose result it reused.
            "cached": s["status"] == 3 and s["attempts"] == 0,
            "module": s["module"], "attempts": s["attempts"], "job_id": s["job_id"], "cost": _money(s["cost"], token),
            "timeout": s["timeout"], "retries": s["retries"], "params": s["params"], "cid": s["result_cid"],
            "needs": json.loads(s["needs"]), "dispatched_at": s["dispatched_at"], "completed_at": s["completed_at"],
            "failures": [{"attempt": f[0], "reason": f[1], "will_retry": f[2]} for f in json.loads(s["failures"])],
            "history": attempts.get(s["step_index"], []),
        }
        for s in rows
    ]
    timeline = [
        {"block": e["block"], "time": e["timestamp"], "contract": e["contract"], "event": e["name"],
         "args": json.loads(e["args"]), "tx": e["tx_hash"]}
        for e in db.execute(
            "SELECT e.*, b.timestamp FROM events e LEFT JOIN blocks b ON b.number = e.block "
            "WHERE e.workflow_id = ? ORDER BY e.block, e.log_index",
            (workflow_id,),
        )
    ]
    payments = [
        {"block": p["block"], "job_id": p["job_id"], "amount": _money(p["amount"], token)}
        for p in db.execute("SELECT * FROM payments WHERE workflow_id = ? ORDER BY block, log_index", (workflow_id,))
    ]
    refunds = [
        {"block": r["block"], "kind": r["kind"], "job_id": r["job_id"], "account": r["account"],
         "amount": _money(r["amount"], token)}
        for r in db.execute("SELECT * FROM refunds WHERE workflow_id = ? ORDER BY block, log_index", (workflow_id,))
    ]
    return {"workflow": workflow_row(row, token), "steps": steps, "timeline": timeline, "payments": payments,
            "refunds": refunds}


def _labels(db: sqlite3.Connection, workflow_id: int, rows: list[sqlite3.Row]) -> step_labels.Labels:
    """The names recorded for the workflow's steps, by the deployment the index follows (its identity meta:
    schema, chain id, registry, block)."""
    parts = (store.get_meta(db, "identity") or "").split(":")
    if len(parts) != 4 or not parts[1].isdigit():
        return step_labels.Labels()
    steps = [(int(r["step_id"]), r["module"]) for r in rows]
    return step_labels.recorded(int(parts[1]), parts[2], workflow_id, steps)


def redrive_deposit(db: sqlite3.Connection, workflow_id: int) -> int:
    """What a redrive of the workflow pays, as the index has it: every attempt of every step without a result."""
    rows = db.execute(
        "SELECT cost, retries FROM steps WHERE workflow_id = ? AND status != 3", (workflow_id,)  # 3: Completed
    ).fetchall()
    return sum(int(r["cost"]) * (1 + r["retries"]) for r in rows)


def updated_block(db: sqlite3.Connection, workflow_id: int) -> int | None:
    row = db.execute("SELECT updated_block FROM workflows WHERE workflow_id = ?", (workflow_id,)).fetchone()
    return None if row is None else int(row["updated_block"])
