"""A workflow file's `runner` and `keeper` fields: read into the workflow, checked with the path named, and sent
as `submit`'s WorkflowOptions only when there is something to send."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tinyhops import spec
from tinyhops.encoding.workflow_options import WorkflowOptions, options_of
from tinyhops.errors import WorkflowInvalid
from tinyhops.spec.model import KeeperBudget

SAMPLE = Path(__file__).resolve().parents[3] / "sample.thops.json"


def document(**top: Any) -> dict[str, Any]:
    return {**json.loads(SAMPLE.read_text()), **top}


def test_runner_mode_and_a_keeper_budget_are_read_in_wei() -> None:
    keeper = {"gasDeposit": "0.01", "maxGasPrice": "2 gwei", "premium": 0, "maxPaidPerCall": "0.001"}
    workflow = spec.load(document(runner=True, keeper=keeper))

    assert workflow.runner
    assert workflow.keeper == KeeperBudget(10**16, 2 * 10**9, 0, 10**15)
    assert options_of(workflow) == WorkflowOptions(True, 2 * 10**9, 0, 10**15, 10**16)


def test_a_plain_file_is_sent_without_options_and_runner_mode_alone_with_the_defaults() -> None:
    assert options_of(spec.load(document())) is None
    assert options_of(spec.load(document(runner=True))) == WorkflowOptions(True, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("keeper", "path"),
    [
        ({"premium": "19 ether"}, "$.keeper.premium"),  # above uint64
        ({"gasDeposit": "lots"}, "$.keeper.gasDeposit"),
        ({"tip": "1"}, "$.keeper.tip"),
    ],
)
def test_a_bad_keeper_amount_names_its_path(keeper: dict[str, Any], path: str) -> None:
    with pytest.raises(WorkflowInvalid) as raised:
        spec.load(document(keeper=keeper))
    assert [p.path for p in raised.value.problems] == [path]


def test_runner_must_be_a_boolean() -> None:
    with pytest.raises(WorkflowInvalid) as raised:
        spec.load(document(runner="yes"))
    assert [p.path for p in raised.value.problems] == ["$.runner"]
