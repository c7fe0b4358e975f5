"""Run one job as the provider does: the module's output goes into the store and the job answers its CID.

`execute` never raises for a module's failure: the outcome carries the one-line reason instead, and
`JobOutcome.answer` is what the provider sends back (the CID, or `JOB_FAILED:<reason>`). Errors of the
store itself (a full disk, say) are the provider's own and do raise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from tinyhops.provider.modules import ModuleFailed, run_module
from tinyhops.provider.modules.failure import one_line
from tinyhops.provider.store import ContentStore

FAILED_PREFIX = "JOB_FAILED:"
MAX_REASON_CHARS = 200


@dataclass(frozen=True)
class JobOutcome:
    """How one job ended: the CID of its stored output, or why it failed; `seconds` is its wall time."""

    ok: bool
    cid: str | None
    reason: str | None
    seconds: float

    @property
    def answer(self) -> str:
        """The provider's answer for this job: the output CID, or JOB_FAILED:<reason>."""
        return self.cid if self.ok and self.cid is not None else f"{FAILED_PREFIX}{self.reason}"


def execute(module: str, params: str, store: ContentStore) -> JobOutcome:
    """Run `module` on `params`, store its output and return the outcome."""
    started = time.perf_counter()
    try:
        output = run_module(module, params, store)
    except ModuleFailed as failure:
        reason = one_line(failure.reason, MAX_REASON_CHARS)
        return JobOutcome(ok=False, cid=None, reason=reason, seconds=time.perf_counter() - started)
    cid = store.put(output)
    return JobOutcome(ok=True, cid=cid, reason=None, seconds=time.perf_counter() - started)
