"""Regression tests for what the reliability suite found, each small and fast, named for the bug."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from in_process_provider import run_until_quiet, serving_provider, session_client
from rich.console import Console

from tinyhops import spec
from tinyhops.chain.registry_client import RegistryClient, WorkflowStatus, WorkflowView
from tinyhops.cli import monitor
from tinyhops.cli.main import main
from tinyhops.encoding import encode
from tinyhops.errors import WorkflowInvalid
from tinyhops.provider.faults import FaultPlan
from tinyhops.spec.units import ETHER_UNIT
from tinyhops.testing import shapes


@pytest.fixture
def client(project: Any, chain: Any, stack: Any) -> RegistryClient:
    return session_client(project, chain, stack)


def test_regression_provider_rescans_after_the_chain_rolls_back(
    client: Any, chain: Any, lilypad: Any, registry: Any, provider: Any, user: Any, tmp_path: Path
) -> None:
    """Found by test_chain_restart: anvil restarted from a state saved a few jobs earlier. The running provider
    kept its cursor past the jobs the rollback had made unanswered again (and past job ids the chain would issue
    anew), so it never answered them: the workflow stayed Running for good. It must notice that the chain lost
    the blocks it had scanned and rescan (answered jobs are skipped, so rescanning is always safe)."""
    served = serving_provider(chain, lilypad, registry, provider, tmp_path)
    workflow_id = client.submit(spec.load(shapes.chain(4)), user)
    saved = chain.snapshot()
    run_until_quiet(served)
    assert WorkflowStatus(registry.getWorkflow(workflow_id).status) is WorkflowStatus.COMPLETED
    chain.restore(saved)  # the chain as it was before any answer: four blocks of answers gone
    assert WorkflowStatus(registry.getWorkflow(workflow_id).status) is WorkflowStatus.RUNNING
    run_until_quiet(served)
    assert WorkflowStatus(registry.getWorkflow(workflow_id).status) is WorkflowStatus.COMPLETED
    answered = Counter(log.jobId for log in lilypad.JobAnswered.range(served.start_block, chain.blocks.height + 1))
    assert len(answered) == 4 and set(answered.values()) == {1}


def test_regression_keeper_forgets_workflows_a_rollback_undid(
    client: Any, chain: Any, lilypad: Any, registry: Any, provider: Any, user: Any, tmp_path: Path
) -> None:
    """After a rollback to before a workflow was submitted, the next submission gets the same id; the keeper
    believed it had seen that id already (and finished with it), so it never expired the new workflow's hung
    step: Running for good. After a rollback the provider's keeper forgets what it had seen."""
    served = serving_provider(chain, lilypad, registry, provider, tmp_path)
    saved = chain.snapshot()
    gone = client.submit(spec.load(shapes.chain(1)), user)
    run_until_quiet(served)
    assert WorkflowStatus(registry.getWorkflow(gone).status) is WorkflowStatus.COMPLETED
    chain.restore(saved)
    served.faults = FaultPlan(seed=0, fail_rate=0.0, hang_rate=1.0)  # from now on the provider answers nothing
    document = shapes.chain(1)
    document["steps"][0]["timeout"] = 60
    hung = client.submit(spec.load(document), user)
    assert hung == gone
    run_until_quiet(served)
    chain.mine(deltatime=61)
    run_until_quiet(served)  # keeper duty: expire the attempt; no retries left, so the workflow fails
    assert WorkflowStatus(registry.getWorkflow(hung).status) is WorkflowStatus.FAILED


class FlakyClient:
    """Stands for a node that stops answering for a while (restarted): after the first view, `failures` views
    raise, then every view is `later`."""

    unit = ETHER_UNIT
    deployment = SimpleNamespace(registry="0x" + "22" * 20)  # no index holds it: the views are read

    def __init__(self, first: WorkflowView, later: WorkflowView, failures: int):
        self.first, self.later, self.failures, self.calls = first, later, failures, 0

    def view(self, _workflow_id: int) -> WorkflowView:
        self.calls += 1
        if self.calls == 1:
            return self.first
        if self.calls <= 1 + self.failures:
            raise ConnectionError("Connection refused")
        return self.later


def _view(status: WorkflowStatus) -> WorkflowView:
    return WorkflowView(1, "0x" + "11" * 20, status, 0, 0, 0, 0, 0, 0, ())


def test_regression_monitor_keeps_watching_while_the_node_is_down() -> None:
    """Found by test_chain_restart: `monitor` died with "VirtualMachineError: Could not discover provider" the
    moment anvil restarted. It now retries until the node answers again (for up to RECONNECT_SECONDS)."""
    flaky = FlakyClient(_view(WorkflowStatus.RUNNING), _view(WorkflowStatus.COMPLETED), failures=3)
    blocks = iter(range(1, 1000))
    console = Console(file=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process
    final = monitor.watch(flaky, 1, lambda: next(blocks), console=console, poll_seconds=0.01)  # type: ignore[arg-type]
    assert final.status is WorkflowStatus.COMPLETED and flaky.calls >= 5


def test_regression_monitor_gives_up_on_a_node_that_stays_down() -> None:
    flaky = FlakyClient(_view(WorkflowStatus.RUNNING), _view(WorkflowStatus.RUNNING), failures=10**6)
    blocks = iter([1])

    def block_number() -> int:
        for block in blocks:
            return block
        raise ConnectionError("Connection refused")

    console = Console(file=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process
    with pytest.raises(ConnectionError):
        monitor.watch(flaky, 1, block_number, console=console, poll_seconds=0.01, reconnect_seconds=0.1)  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["timeout", "retries"])
def test_regression_integer_valued_floats_validate_and_encode(field: str, tmp_path: Path) -> None:
    """Found by the bad-input fuzzing: JSON Schema's "integer" admits 5.0, so `"timeout": 5.0` passed the
    schema, and `validate` then died with a traceback (eth_abi: "Value `5.0` of type float cannot be encoded").
    An integer-valued float is that integer, everywhere."""
    document = {
        "version": "v0.0.1",
        "steps": [{"stepId": "1", field: 2.0, "stepModule": {"cmd": "cowsay:v0.0.1", "params": "x", "cost": "1"}}],
    }
    path = tmp_path / "float.thops.json"
    path.write_text(json.dumps(document))
    result = CliRunner(mix_stderr=False).invoke(main, ["validate", str(path)])
    assert result.exit_code == 0 and result.exception is None, (result.output, result.exception)
    workflow = spec.load(path)
    (step,) = workflow.steps
    assert getattr(step, field) == 2 and type(getattr(step, field)) is int
    assert encode(workflow)[0].timeout == (2 if field == "timeout" else 0)
    assert workflow.required_deposit_wei == 10**18 * (3 if field == "retries" else 1)


def test_regression_integer_valued_float_needs_and_step_ids_stay_integers() -> None:
    workflow = spec.load(
        {
            "version": "v0.0.1",
            "steps": [
                {"stepId": 1.0, "stepModule": {"cmd": "cowsay:v0.0.1", "params": "x", "cost": "1"}},
                {"stepId": "2", "needs": [1.0], "stepModule": {"cmd": "cowsay:v0.0.1", "params": "y", "cost": "1"}},
            ],
        }
    )
    assert [s.step_id for s in workflow.steps] == [1, 2] and workflow.steps[1].needs == (1,)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("deeply-nested", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("long-number", '{"version": "v0.0.1", "steps": [{"stepId": ' + "1" * 5000 + "}]}", "digits"),
        (
            "lone-surrogate",
            '{"version": "v0.0.1", "steps": [{"stepId": "1", "stepModule": '
            '{"cmd": "cowsay:v0.0.1", "params": "a\\ud800b", "cost": "1"}}]}',
            "$.steps[0].stepModule.params: not Unicode text",
        ),
        (
            "lone-surrogate-key",
            '{"version": "v0.0.1", "steps": [{"stepId": "1", "\\udfff": 1, "stepModule": '
            '{"cmd": "cowsay:v0.0.1", "params": "x", "cost": "1"}}]}',
            "$.steps[0]: not Unicode text",
        ),
    ],
)
def test_regression_unparseable_json_is_a_problem_not_a_traceback(
    name: str, text: str, message: str, tmp_path: Path
) -> None:
    """Found by the bad-input fuzzing: JSON nested thousands deep (RecursionError), an integer of more than
    4300 digits (Python's int-from-string limit: ValueError) and a lone UTF-16 surrogate such as "\\ud800"
    (json accepts it; UTF-8 encoding then fails: UnicodeEncodeError) each made `validate` and `submit` die with
    a traceback. Each is now one problem naming where."""
    path = tmp_path / f"{name}.thops.json"
    path.write_text(text, encoding="utf-8")
    result = CliRunner(mix_stderr=False).invoke(main, ["validate", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), (result.output, result.exception)
    (line,) = result.stdout.splitlines()
    # A problem inside the document names its JSON path; one of the text itself names only the file.
    head = f"{path}: invalid: $" if message.startswith("$") else f"{path}: "
    assert line.startswith(head) and message in line and "$: " not in line, line


@pytest.mark.parametrize("name", ["\x00", "workflow\x00.thops.json"])
def test_regression_a_file_name_with_a_nul_character_is_a_problem_not_a_traceback(name: str) -> None:
    """Found by the property test of arbitrary JSON (a string document is read as a file name): opening a name
    with a NUL character raised ValueError out of spec.load."""
    with pytest.raises(WorkflowInvalid) as caught:
        spec.load(name)
    (problem,) = caught.value.problems
    assert (problem.kind, problem.path, problem.message) == (
        "unreadable",
        "",
        "not a file name (it has a NUL character)",
    )
    assert "\x00" not in str(caught.value) and "\n" not in str(caught.value)
