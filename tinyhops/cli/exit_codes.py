"""Exit codes a script can trust, the same from `tiny-hops` and from `ape run`.

| code | meaning |
|---:|---|
| 0 | done: the command did what it was asked; a followed workflow ended Completed |
| 1 | error: bad input, no node, a refused transaction (one line on stderr says which) |
| 2 | the workflow ended Failed |
| 3 | the workflow ended Cancelled |
| 4 | the workflow has not ended (`monitor --json`, a snapshot of a Running or Paused workflow) |
"""

from __future__ import annotations

from typing import Any

OK = 0
ERROR = 1
FAILED = 2
CANCELLED = 3
NOT_ENDED = 4

_BY_STATUS = {"COMPLETED": OK, "FAILED": FAILED, "CANCELLED": CANCELLED}

# The codes of a followed workflow as the commands' help gives them (monitor, run --wait).
ENDED_HELP = f"exit {OK} Completed, {FAILED} Failed, {CANCELLED} Cancelled"


def for_workflow(status: Any) -> int:
    """The exit code that reports a workflow in `status` (a WorkflowStatus)."""
    return _BY_STATUS.get(status.name, NOT_ENDED)
