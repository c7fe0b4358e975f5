"""Where the provider is in the local Lilypad's job stream (v1's `JobCreated`, v2's `JobAdded`), kept in
`state_dir()/provider-<chainId>.json`.

The cursor names the Lilypad it belongs to (its address and the hash of its deployment block, which
tells a restarted dev chain from the one the cursor was written on), the first block that may still
hold a job not yet handled, and the highest job id handled (answered, found answered, or given up on).
It is written to a temporary file that is fsynced and then renamed over the old one, so a crash leaves
either the old cursor or the new one, never a torn file. Being behind is always safe (the provider
skips jobs that are already answered), so any doubt about the file resolves to rescanning from the
deployment's block.

On Lilypad v2 the provider, as the job creator's controller, also takes each job's deposit (a token
`transferFrom`) before running it. Before sending those transfers it records each one, signed (`deposits`: job
id to the raw transaction); a restart that finds a job there asks the chain for that very transaction (sending
it again if the node never saw it: same nonce, same hash) before sending another, so a crash between the
transfer and the answer never takes a deposit twice. Empty (and left out of the file) otherwise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tinyhops.atomic_file import write_atomically
from tinyhops.errors import CursorUnreadable
from tinyhops.paths import state_dir


@dataclass(frozen=True)
class Cursor:
    """`block`: first block that may hold an unhandled job; `last_job`: highest job id handled; `deposits`: the
    jobs whose deposit transfer may have been sent, each with that transfer signed (v2 only; empty when none)."""

    lilypad: str
    block: int
    last_job: int
    deposits: tuple[tuple[int, str], ...] = ()

    def deposit_of(self, job_id: int) -> bytes | None:
        """The signed deposit transfer recorded for `job_id`, or None."""
        return next((bytes.fromhex(raw) for job, raw in self.deposits if job == job_id), None)


def cursor_path(chain_id: int) -> Path:
    return state_dir() / f"provider-{chain_id}.json"


def load_cursor(path: Path, lilypad: str, start_block: int) -> Cursor:
    """The saved cursor for `lilypad`, or a fresh one at `start_block` when there is none (or it names
    another Lilypad, from an earlier deployment). Raises CursorUnreadable for a file that is not a cursor."""
    fresh = Cursor(lilypad=lilypad, block=start_block, last_job=0)
    if not path.exists():
        return fresh
    try:
        entry = json.loads(path.read_text())
        cursor = Cursor(
            str(entry["lilypad"]),
            int(entry["block"]),
            int(entry["last_job"]),
            tuple((int(job), bytes.fromhex(str(raw)).hex()) for job, raw in entry.get("deposits", {}).items()),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CursorUnreadable(f"{path} is not a provider cursor ({type(exc).__name__}: {exc})") from None
    if cursor.lilypad.lower() != lilypad.lower():
        return fresh
    return cursor


def save_cursor(path: Path, cursor: Cursor) -> None:
    """Replace the cursor atomically: a reader (or a restart after a crash) sees the old or the new one."""
    entry: dict[str, object] = {"lilypad": cursor.lilypad, "block": cursor.block, "last_job": cursor.last_job}
    if cursor.deposits:
        entry["deposits"] = {str(job): raw for job, raw in cursor.deposits}
    write_atomically(path, (json.dumps(entry) + "\n").encode())
