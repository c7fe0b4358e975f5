"""The monitor's table, stall notices and names-file check, on views built by hand (the same code the real
`monitor` runs: tests/e2e/test_monitor_live.py and test_failures_explained.py drive it through the command).

A CID is never broken across lines at any console width; the stall notice comes once per job, after
STALL_BLOCKS blocks or STALL_IDLE_SECONDS without a block; a names file differing from the chain is refused.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from tinyhops.chain.registry_client import FailedAttempt, StepStatus, StepView, WorkflowStatus, WorkflowView
from tinyhops.cli import monitor
from tinyhops.cli.step_names import checked_file
from tinyhops.errors import DefinitionMismatch
from tinyhops.spec.sample import write_sample

CID = "bafkreictg4msqhkefyhigpeurb37vleyitsu7jdeqc7lzqo6hhmmpzox6u"
ETHER = 10**18


def step(step_id: int, module: str, cost: int, status: StepStatus, **extra: object) -> StepView:
    fields: dict[str, object] = dict(
        index=step_id - 1, step_id=step_id, status=status, attempts=1, job_id=step_id, module=module, cost_wei=cost
    )
    fields.update(params="", result_cid="", dispatched_at=0)
    return StepView(**{**fields, **extra})  # type: ignore[arg-type]


def sample_view(status: WorkflowStatus = WorkflowStatus.RUNNING) -> WorkflowView:
    steps = (
        step(1, "cowsay:v0.0.1", ETHER, StepStatus.COMPLETED, result_cid=CID),
        step(
            2,
            "sdxl:v0.9-lilypad1",
            4 * ETHER,
            StepStatus.DISPATCHED,
            failures=(FailedAttempt(1, "expired", True),),
        ),
        step(3, "cowsay:v0.0.1", ETHER, StepStatus.WAITING),
        step(4, "cowsay:v0.0.1", ETHER, StepStatus.WAITING),
    )
    return WorkflowView(7, "0x" + "11" * 20, status, 6 * ETHER, 5 * ETHER, 4, 1, 1, 0, steps)


def rendered(view: WorkflowView, width: int) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None)
    console.print(monitor.table(view, {1: "greet", 2: "picture"}, "cow-meme", console.width))
    return out.getvalue()


@given(st.integers(min_value=60, max_value=260))
def test_a_cid_is_whole_or_shortened_never_broken(width: int) -> None:
    text = rendered(sample_view(), width)
    whole, short = CID in text, monitor.short_cid(CID) in text
    assert whole != short, text  # exactly one form, on one line
    assert whole == (width >= monitor.WIDE_CIDS)
    assert "step 2: attempt 1 expired: no answer within the step's timeout" in " ".join(text.split())


def test_the_narrow_table_fits_80_columns_and_says_where_whole_cids_are() -> None:
    text = rendered(sample_view(), 80)
    rows = [line for line in text.splitlines() if "│" in line or "┃" in line]
    assert len(rows) == 5 and max(map(len, rows)) <= 80, text
    assert "CIDs shortened: `monitor 7 --json` or `inspect 7` prints them whole" in " ".join(text.split())
    assert text.startswith("Workflow 7 (cow-meme): Running")


def test_a_stall_is_told_once_per_job_after_enough_blocks() -> None:
    stalls = monitor.StallWatch(blocks=5, idle_seconds=1000)
    view = sample_view()
    assert stalls.notices(view, block=10, last_block_at=0.0, now=0.0) == []
    assert stalls.notices(view, block=14, last_block_at=1.0, now=1.0) == []
    (notice,) = stalls.notices(view, block=15, last_block_at=2.0, now=2.0)
    assert notice == "no provider has picked up job 2 (step 2) for 5 blocks: is `ape run provider` running?"
    assert stalls.notices(view, block=40, last_block_at=3.0, now=3.0) == []  # told once
    answered = replace(view, steps=(view.steps[0], replace(view.steps[1], status=StepStatus.COMPLETED)))
    assert stalls.notices(answered, block=41, last_block_at=4.0, now=4.0) == []


def test_a_stall_on_an_idle_chain_is_told_after_its_seconds() -> None:
    stalls = monitor.StallWatch(blocks=5, idle_seconds=20)
    view = sample_view()
    assert stalls.notices(view, block=3, last_block_at=100.0, now=100.0) == []
    assert stalls.notices(view, block=3, last_block_at=100.0, now=119.0) == []
    (notice,) = stalls.notices(view, block=3, last_block_at=100.0, now=120.0)
    assert "job 2 (step 2) for 20 s without a new block" in notice


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda v: replace(v, steps=v.steps[:3]), "it has 4 steps, the workflow 3"),
        (
            lambda v: replace(v, steps=(v.steps[0], replace(v.steps[1], module="cowsay:v0.0.1"), *v.steps[2:])),
            "at position 1 the file has step 2 (sdxl:v0.9-lilypad1), the chain step 2 (cowsay:v0.0.1)",
        ),
        (
            lambda v: replace(v, steps=(v.steps[0], replace(v.steps[1], cost_wei=ETHER), *v.steps[2:])),
            "at position 1 the file has step 2 (sdxl:v0.9-lilypad1), the chain step 2 (sdxl:v0.9-lilypad1), "
            "at another cost",
        ),
    ],
)
def test_a_names_file_that_is_not_the_workflow_is_refused(change: object, says: str, tmp_path: Path) -> None:
    write_sample(tmp_path / "sample.thops.json")
    view = sample_view()
    assert [s.step_id for s in checked_file(tmp_path / "sample.thops.json", view).steps] == [1, 2, 3, 4]
    with pytest.raises(DefinitionMismatch) as refused:
        checked_file(tmp_path / "sample.thops.json", change(view))  # type: ignore[operator]
    assert str(refused.value) == f"{tmp_path / 'sample.thops.json'} is not workflow 7's definition: {says}"


def test_a_step_served_from_the_cache_reads_cached_with_the_job_it_reused() -> None:
    served = step(1, "cowsay:v0.0.1", ETHER, StepStatus.COMPLETED, attempts=0, job_id=7, result_cid=CID)
    view = replace(sample_view(WorkflowStatus.COMPLETED), steps=(served,))
    out = io.StringIO()
    Console(file=out, width=200).print(monitor.table(view))
    row = next(line for line in out.getvalue().splitlines() if "cowsay" in line)
    assert "completed (cached)" in row and " 7 " in row
    assert monitor.snapshot(view)["steps"][0]["cached"] is True
    assert not step(2, "cowsay:v0.0.1", ETHER, StepStatus.COMPLETED, result_cid=CID).cached
