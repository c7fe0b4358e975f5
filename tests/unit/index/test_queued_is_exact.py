"""When the index's `queued` may differ from the registry's (an `advance` that only counted results towards
steps that stay waiting emits no event), `monitor` and `graph` read the views instead: the rule, for every
status and count."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tinyhops.index.replay import CANCELLED_WF, COMPLETED_WF, FAILED_WF, PAUSED, RUNNING
from tinyhops.index.views import queued_is_exact


@given(st.sampled_from([RUNNING, PAUSED, COMPLETED_WF, FAILED_WF, CANCELLED_WF]), st.integers(0, 6000))
def test_only_a_live_workflow_with_work_queued_is_read_from_the_views(status: int, queued: int) -> None:
    live = status in (RUNNING, PAUSED)
    assert queued_is_exact(status, queued) is (not live or queued == 0)
