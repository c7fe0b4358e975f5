"""The index's SQLite file: one per chain, in the state directory (`index/chain-<id>.sqlite`).

`events` and `blocks` are what the chain said (the source of truth; a reorg deletes from them); `definitions`
what the registry's data contracts hold; `workflows`, `steps`, `attempts`, `payments` and `refunds` are
rebuilt from those for every workflow a new event touches.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from tinyhops.paths import state_dir

# 2: steps.step_id is TEXT (a named step's uint64 id passes SQLite's INTEGER); 3: runs (a workflow's `run`,
# each attempt's)
SCHEMA_VERSION = "3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL, timestamp INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    block INTEGER NOT NULL, log_index INTEGER NOT NULL, tx_hash TEXT NOT NULL, contract TEXT NOT NULL,
    name TEXT NOT NULL, workflow_id INTEGER, job_id TEXT, args TEXT NOT NULL,
    PRIMARY KEY (block, log_index)
);
CREATE INDEX IF NOT EXISTS events_by_workflow ON events (workflow_id, block, log_index);
CREATE INDEX IF NOT EXISTS events_by_job ON events (job_id);
CREATE TABLE IF NOT EXISTS definitions (
    workflow_id INTEGER PRIMARY KEY, address TEXT NOT NULL, blob BLOB NOT NULL, nonce_after INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS advance_calls (tx_hash TEXT PRIMARY KEY, most INTEGER);
CREATE TABLE IF NOT EXISTS workflows (
    workflow_id INTEGER PRIMARY KEY, owner TEXT NOT NULL, status INTEGER NOT NULL, deposited TEXT NOT NULL,
    spent TEXT NOT NULL, balance TEXT NOT NULL, refunded TEXT NOT NULL, step_count INTEGER NOT NULL,
    completed INTEGER NOT NULL, in_flight INTEGER NOT NULL, queued INTEGER NOT NULL, created_at INTEGER NOT NULL,
    submitted_block INTEGER NOT NULL, finished_at INTEGER, updated_block INTEGER NOT NULL, modules TEXT NOT NULL,
    run INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS steps (
    workflow_id INTEGER NOT NULL, step_index INTEGER NOT NULL, step_id TEXT NOT NULL, status INTEGER NOT NULL,
    attempts INTEGER NOT NULL, dispatched_at INTEGER NOT NULL, job_id TEXT NOT NULL, module TEXT NOT NULL,
    cost TEXT NOT NULL, timeout INTEGER NOT NULL, retries INTEGER NOT NULL, params TEXT NOT NULL,
    result_cid TEXT NOT NULL, needs TEXT NOT NULL, failures TEXT NOT NULL, completed_at INTEGER,
    PRIMARY KEY (workflow_id, step_index)
);
CREATE TABLE IF NOT EXISTS attempts (
    workflow_id INTEGER NOT NULL, step_index INTEGER NOT NULL, attempt INTEGER NOT NULL, job_id TEXT NOT NULL,
    cost TEXT NOT NULL, params TEXT NOT NULL, dispatched_block INTEGER NOT NULL, dispatched_at INTEGER NOT NULL,
    outcome TEXT NOT NULL, reason TEXT NOT NULL, cid TEXT NOT NULL, ended_block INTEGER, ended_at INTEGER,
    run INTEGER NOT NULL, PRIMARY KEY (workflow_id, step_index, run, attempt)
);
CREATE TABLE IF NOT EXISTS payments (
    workflow_id INTEGER NOT NULL, block INTEGER NOT NULL, log_index INTEGER NOT NULL, job_id TEXT NOT NULL,
    amount TEXT NOT NULL, PRIMARY KEY (block, log_index)
);
CREATE TABLE IF NOT EXISTS refunds (
    workflow_id INTEGER NOT NULL, block INTEGER NOT NULL, log_index INTEGER NOT NULL, kind TEXT NOT NULL,
    job_id TEXT, account TEXT, amount TEXT NOT NULL, PRIMARY KEY (block, log_index)
);
"""

DERIVED = ("workflows", "steps", "attempts", "payments", "refunds")


def index_file(chain_id: int, folder: Path | None = None) -> Path:
    return (folder or state_dir()) / "index" / f"chain-{chain_id}.sqlite"


def open_index(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """The index at `path` (created unless `readonly`), in WAL mode so readers never wait for the follower."""
    if readonly:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10, check_same_thread=False)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=30, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.executescript(SCHEMA)
    connection.row_factory = sqlite3.Row
    return connection


def get_meta(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row["value"])


def set_meta(db: sqlite3.Connection, key: str, value: Any) -> None:
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(value)))


def reset(db: sqlite3.Connection) -> None:
    """Forget everything (another deployment on this chain id, or another schema: the derived tables are
    made again, as this schema has them)."""
    for table in ("meta", "blocks", "events", "definitions", "advance_calls"):
        db.execute(f"DELETE FROM {table}")  # noqa: S608 - table names are this module's own
    for table in DERIVED:
        db.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)


def event_args(row: sqlite3.Row) -> dict[str, Any]:
    return json.loads(row["args"])
