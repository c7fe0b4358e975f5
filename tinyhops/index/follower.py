"""Following the chain into the index: pages of eth_getLogs from the last indexed block to the head, block
hashes kept so a reorg is noticed (the stored hash of a block no longer matches the node's) and undone
(everything after the last block both agree on is deleted and its workflows rebuilt)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_abi import decode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from tinyhops.chain.address_book import Deployment
from tinyhops.index import store
from tinyhops.index.abi_events import EventAbi, decode_log, events_of
from tinyhops.index.definition import create_address, read_blob, unpack
from tinyhops.index.replay import LoggedEvent, WorkflowState, replay
from tinyhops.index.rpc import Rpc, RpcError

PAGE_BLOCKS = 2_000  # blocks per eth_getLogs; halved when a node refuses a page as too large
ADVANCE_SELECTOR = function_signature_to_4byte_selector("advance(uint256,uint256)")
JOB_ARGUMENTS = ("jobId", "id")  # how the registry's and the Lilypads' events name a job id


@dataclass(frozen=True)
class Source:
    """A contract whose events are indexed, and the shipped ABI that declares them."""

    address: str
    contract: str


def sources_of(deployment: Deployment) -> list[Source]:
    """The registry, and its Lilypad when the package ships that Lilypad's ABI (the local stand-ins)."""
    if deployment.backend == "v2":
        registry, lilypad = "LilypadV2Registry", "LocalLilypadV2"
    else:
        registry, lilypad = "LilypadV1Registry", "LocalLilypad"
    found = [Source(to_checksum_address(deployment.registry), registry)]
    if deployment.local_lilypad:
        found.append(Source(to_checksum_address(deployment.lilypad), lilypad))
    return found


@dataclass
class SyncReport:
    head: int
    events: int = 0
    workflows: int = 0
    rewound_to: int | None = None


class Follower:
    """One deployment's index: `sync()` brings it to the node's head."""

    def __init__(self, rpc: Rpc, db: sqlite3.Connection, deployment: Deployment, page_blocks: int = PAGE_BLOCKS):
        self.rpc = rpc
        self.db = db
        self.deployment = deployment
        self.page_blocks = page_blocks
        self.sources = sources_of(deployment)
        self.by_address = {s.address.lower(): s for s in self.sources}
        self.abis: dict[str, dict[str, EventAbi]] = {s.contract: events_of(s.contract) for s in self.sources}
        self.registry = self.sources[0]
        self._belongs()

    def _belongs(self) -> None:
        """An index of another deployment (or schema) on this chain id is started afresh."""
        identity = f"{store.SCHEMA_VERSION}:{self.deployment.chain_id}:{self.registry.address}:{self.deployment.block}"
        if store.get_meta(self.db, "identity") != identity:
            with self.db:
                store.reset(self.db)
                store.set_meta(self.db, "identity", identity)
                store.set_meta(self.db, "last_block", self.deployment.block - 1)
                store.set_meta(self.db, "registry", self.registry.address)
                store.set_meta(self.db, "registry_contract", self.registry.contract)

    @property
    def last_block(self) -> int:
        return int(store.get_meta(self.db, "last_block") or self.deployment.block - 1)

    # ------------------------------------------------------------ following

    def sync(self, head: int | None = None) -> SyncReport:
        head = self.rpc.block_number() if head is None else head
        report = SyncReport(head)
        rewound = self._rewind_if_reorged(head)
        if rewound is not None:
            report.rewound_to = rewound
        start = self.last_block + 1
        while start <= head:
            end = min(head, start + self.page_blocks - 1)
            try:
                logs = self.rpc.logs([s.address for s in self.sources], start, end)
            except RpcError:
                if end == start:
                    raise
                self.page_blocks = max(1, (end - start + 1) // 2)
                continue
            events, workflows = self._apply(logs, end)
            report.events += events
            report.workflows += workflows
            start = end + 1
        return report

    def _rewind_if_reorged(self, head: int) -> int | None:
        last = self.last_block
        if last < self.deployment.block:
            return None
        stored = self.db.execute("SELECT number, hash FROM blocks ORDER BY number DESC LIMIT 1").fetchone()
        if stored is None:
            return None
        if stored["number"] <= head:
            block = self.rpc.block(int(stored["number"]))
            if block is not None and block["hash"] == stored["hash"]:
                return None
        # Walk back over the stored blocks until the node agrees with one.
        keep = self.deployment.block - 1
        rows = self.db.execute("SELECT number, hash FROM blocks ORDER BY number DESC").fetchall()
        for offset in range(0, len(rows), 64):
            chunk = [r for r in rows[offset : offset + 64] if r["number"] <= head]
            answers = self.rpc.blocks([int(r["number"]) for r in chunk])
            agreed = [r for r, b in zip(chunk, answers, strict=True) if b is not None and b["hash"] == r["hash"]]
            if agreed:
                keep = int(agreed[0]["number"])
                break
        self._rewind(keep)
        return keep

    def _rewind(self, keep: int) -> None:
        with self.db:
            touched = [
                r["workflow_id"]
                for r in self.db.execute(
                    "SELECT DISTINCT workflow_id FROM events WHERE block > ? AND workflow_id IS NOT NULL", (keep,)
                )
            ]
            self.db.execute("DELETE FROM events WHERE block > ?", (keep,))
            self.db.execute("DELETE FROM blocks WHERE number > ?", (keep,))
            self.db.execute(
                "DELETE FROM definitions WHERE workflow_id NOT IN "
                "(SELECT workflow_id FROM events WHERE name = 'WorkflowSubmitted')"
            )
            store.set_meta(self.db, "last_block", keep)
            for workflow_id in touched:
                self._rebuild(workflow_id)

    def _apply(self, logs: list[dict[str, Any]], end: int) -> tuple[int, int]:
        numbers = sorted({int(log["blockNumber"], 16) for log in logs} | {end})
        headers = dict(zip(numbers, self.rpc.blocks(numbers), strict=True))
        if any(h is None for h in headers.values()):
            return 0, 0  # the node is between heads (a reorg under way): the next sync sees it
        for log in logs:
            if headers[int(log["blockNumber"], 16)]["hash"] != log["blockHash"]:
                return 0, 0  # a reorg between the two requests: the next sync starts over from here
        rows = []
        touched: set[int] = set()
        submitted: list[tuple[int, dict[str, Any]]] = []
        for log in sorted(logs, key=lambda g: (int(g["blockNumber"], 16), int(g["logIndex"], 16))):
            if log.get("removed"):
                continue
            source = self.by_address.get(log["address"].lower())
            decoded = decode_log(self.abis[source.contract], log) if source else None
            if decoded is None:
                continue
            name, args = decoded
            job = next((args[k] for k in JOB_ARGUMENTS if k in args), None)
            workflow_id = args.get("workflowId") if source is self.registry else None
            if workflow_id == 0:
                workflow_id = None
            if workflow_id is not None:
                touched.add(int(workflow_id))
            if name == "WorkflowSubmitted" and source is self.registry:
                submitted.append((int(workflow_id), args))
            rows.append(
                (
                    int(log["blockNumber"], 16), int(log["logIndex"], 16), log["transactionHash"], source.contract,
                    name, workflow_id, None if job is None else str(job), json.dumps(args),
                )
            )
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO blocks (number, hash, timestamp) VALUES (?, ?, ?)",
                [(n, h["hash"], int(h["timestamp"], 16)) for n, h in headers.items()],
            )
            self.db.executemany("INSERT OR REPLACE INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            # A Lilypad's events name a job, not a workflow: the registry's StepDispatched says whose it is.
            self.db.execute(
                "UPDATE events SET workflow_id = (SELECT d.workflow_id FROM events d WHERE d.name = "
                "'StepDispatched' AND d.job_id = events.job_id AND d.contract = ?) "
                "WHERE workflow_id IS NULL AND job_id IS NOT NULL AND contract != ?",
                (self.registry.contract, self.registry.contract),
            )
            for workflow_id, args in submitted:
                self._store_definition(workflow_id, args)
            store.set_meta(self.db, "last_block", end)
            for workflow_id in sorted(touched):
                self._rebuild(workflow_id)
            self.db.execute("DELETE FROM blocks WHERE number < ? AND number NOT IN (SELECT block FROM events)",
                            (end - 256,))
        return len(rows), len(touched)

    # ------------------------------------------------------------ definitions and rebuilding

    def _store_definition(self, workflow_id: int, args: dict[str, Any]) -> None:
        previous = self.db.execute(
            "SELECT nonce_after FROM definitions WHERE workflow_id < ? ORDER BY workflow_id DESC LIMIT 1",
            (workflow_id,),
        ).fetchone()
        expected = int(previous["nonce_after"]) if previous else 1
        blob, nonce_after = read_blob(
            self.rpc.code, self.registry.address, args["definition"], int(args["stepCount"]), expected
        )
        self.db.execute(
            "INSERT OR REPLACE INTO definitions VALUES (?, ?, ?, ?)",
            (workflow_id, args["definition"], blob, nonce_after),
        )

    def _advance_argument(self, tx_hash: str) -> int | None:
        row = self.db.execute("SELECT most FROM advance_calls WHERE tx_hash = ?", (tx_hash,)).fetchone()
        if row is not None:
            return row["most"]
        tx = self.rpc.request("eth_getTransactionByHash", [tx_hash]) or {}
        data = bytes.fromhex((tx.get("input") or "0x")[2:])
        most = None
        if (tx.get("to") or "").lower() == self.registry.address.lower() and data[:4] == ADVANCE_SELECTOR:
            most = int(decode(["uint256", "uint256"], data[4:])[1])
        self.db.execute("INSERT OR REPLACE INTO advance_calls VALUES (?, ?)", (tx_hash, most))
        return most

    def _rebuild(self, workflow_id: int) -> None:
        state = rebuild(self.db, workflow_id, self.registry.contract, self._advance_argument)
        for table in store.DERIVED:
            self.db.execute(f"DELETE FROM {table} WHERE workflow_id = ?", (workflow_id,))  # noqa: S608
        if state is not None:
            write_state(self.db, state, self.last_block, self.registry.contract)


def rebuild(
    db: sqlite3.Connection, workflow_id: int, registry_contract: str, advance_argument: Callable[[str], int | None]
) -> WorkflowState | None:
    """The workflow as the stored events and definition make it; None if it was never submitted."""
    definition_row = db.execute("SELECT blob FROM definitions WHERE workflow_id = ?", (workflow_id,)).fetchone()
    rows = db.execute(
        "SELECT e.*, b.timestamp FROM events e JOIN blocks b ON b.number = e.block "
        "WHERE e.workflow_id = ? AND e.contract = ? ORDER BY e.block, e.log_index",
        (workflow_id, registry_contract),
    ).fetchall()
    submitted = [r for r in rows if r["name"] == "WorkflowSubmitted"]
    if definition_row is None or not submitted:
        return None
    step_count = int(store.event_args(submitted[0])["stepCount"])
    definition = unpack(bytes(definition_row["blob"]), step_count)
    events = [
        LoggedEvent(r["block"], r["log_index"], r["tx_hash"], r["timestamp"], r["contract"], r["name"],
                    store.event_args(r))
        for r in rows
    ]
    return replay(workflow_id, definition, events, advance_argument)


def write_state(db: sqlite3.Connection, w: WorkflowState, block: int, registry_contract: str) -> None:
    definition = w.definition
    modules = sorted({s.module for s in definition.steps})
    db.execute(
        "INSERT INTO workflows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            w.workflow_id, definition.owner, w.status, str(w.deposited), str(w.spent), str(w.balance),
            str(w.refunded), len(w.steps), w.completed, w.in_flight, w.queued, definition.created_at,
            w.submitted_block, w.finished_at, block, json.dumps(modules), w.run,
        ),
    )
    needs = definition.needs()
    db.executemany(
        "INSERT INTO steps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                w.workflow_id, s.index, str(d.step_id), w.step_status(s), s.attempts, s.dispatched_at, str(s.job_id),
                d.module, str(d.cost), d.timeout, d.retries, w.params_of(s), s.result_cid, json.dumps(needs[s.index]),
                json.dumps(s.failures), s.completed_at,
            )
            for s, d in zip(w.steps, definition.steps, strict=True)
        ],
    )
    db.executemany(
        "INSERT INTO attempts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                w.workflow_id, s.index, a.attempt, str(a.job_id), str(a.cost), a.params, a.dispatched_block,
                a.dispatched_at, a.outcome, a.reason, a.cid, a.ended_block, a.ended_at, a.run,
            )
            for s in w.steps
            for a in s.history
        ],
    )
    db.executemany(
        "INSERT INTO payments VALUES (?, ?, ?, ?, ?)",
        [(w.workflow_id, b, i, str(job), str(amount)) for b, i, job, amount in w.payments],
    )
    db.executemany(
        "INSERT INTO refunds VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(w.workflow_id, b, i, "job", str(job), None, str(amount)) for b, i, job, amount in w.job_refunds],
    )
    db.executemany(
        "INSERT INTO refunds SELECT workflow_id, block, log_index, 'owner', NULL, json_extract(args, '$.owner'), "
        "json_extract(args, '$.amount') FROM events WHERE workflow_id = ? AND name = 'Refunded' "
        "AND contract = ?",
        [(w.workflow_id, registry_contract)],
    )


def follow(
    follower: Follower, poll_seconds: float = 0.25, on_sync: Callable[[SyncReport], None] | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Sync every `poll_seconds` until `stop()` (a sync with no new block only checks the head's hash, so a
    reorg that keeps the height is noticed too)."""
    while not stop():
        report = follower.sync()
        if on_sync is not None and (report.events or report.rewound_to is not None):
            on_sync(report)
        time.sleep(poll_seconds)


__all__ = ["Follower", "Source", "SyncReport", "create_address", "follow", "rebuild", "sources_of"]
