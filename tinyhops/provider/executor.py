"""Run one job as the provider does: the module's result directory (`stdout`, `stderr`, `outputs/…`, as Lilypad
returns it) goes into the store and the job answers its UnixFS CID (CIDv0 `Qm…`, as `ipfs add -r` gives it).

`execute` never raises for a module's failure: the outcome carries the one-line reason instead (the provider
posts it as a failure). Errors of the store itself (a full disk, say) are the provider's own and do raise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from tinyhops.errors import MAX_REASON_CHARS, one_line
from tinyhops.provider.modules import ModuleFailed, run_module
from tinyhops.provider.store import ContentStore

FAILED_PREFIX = "JOB_FAILED:"


@dataclass(frozen=True)
class JobOutcome:
    """How one job ended: the CID of its stored result directory, or why it failed; `seconds` is its wall time."""

    ok: bool
    cid: str | None
    reason: str | None
    seconds: float


def execute(module: str, params: str, store: ContentStore) -> JobOutcome:
    """Run `module` on `params`, store its result directory and return the outcome."""
    started = time.perf_counter()
    try:
        result = run_module(module, params, store)
    except ModuleFailed as failure:
        reason = one_line(failure.reason, MAX_REASON_CHARS)
        return JobOutcome(ok=False, cid=None, reason=reason, seconds=time.perf_counter() - started)
    cid = store.put_tree(result.tree(), cid_version=0)
    return JobOutcome(ok=True, cid=cid, reason=None, seconds=time.perf_counter() - started)
