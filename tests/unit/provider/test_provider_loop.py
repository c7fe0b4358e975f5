"""The provider loop in-process, on the session's contracts: crashes at each point between running a job and
saving the cursor, reverted posts, and keeper duty (advance, expire)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from in_process_provider import run_until_quiet, serving_provider, session_client

from tinyhops import spec
from tinyhops.chain.address_book import Deployment, record
from tinyhops.chain.registry_client import RegistryClient, StepStatus, WorkflowStatus
from tinyhops.errors import ProviderError
from tinyhops.provider.sender import Sender
from tinyhops.provider.service import Provider, serve


class Crash(BaseException):
    """Stands for the process dying: nothing after it runs, nothing catches it."""


def cowsay(step_id: int, needs: list[int], timeout: int = 0) -> dict[str, Any]:
    step: dict[str, Any] = {
        "stepId": str(step_id),
        "needs": [str(n) for n in needs],
        "stepModule": {"cmd": "cowsay:v0.0.1", "params": f"step {step_id}", "cost": "1"},
    }
    if timeout:
        step["timeout"] = timeout
    return step


def workflow(*steps: dict[str, Any]) -> spec.Workflow:
    return spec.load({"version": "v0.0.1", "steps": [list(steps)]})


@pytest.fixture
def client(project: Any, chain: Any, stack: Any) -> RegistryClient:
    return session_client(project, chain, stack)


@pytest.fixture
def make_provider(chain: Any, lilypad: Any, registry: Any, provider: Any, tmp_path: Any) -> Any:
    start = chain.blocks.height + 1  # only this test's jobs: the session's Lilypad has older ones
    lines: list[str] = []

    def make(keeper: bool = False) -> Provider:
        served = serving_provider(
            chain, lilypad, registry, provider, tmp_path, start_block=start, log=lines.append, keeper=keeper
        )
        served.lines = lines  # type: ignore[attr-defined]
        return served

    return make


def answers(chain: Any, lilypad: Any, start: int) -> Counter[int]:
    return Counter(log.jobId for log in lilypad.JobAnswered.range(start, chain.blocks.height + 1))


@pytest.mark.parametrize("crash_point", ["after_execute", "after_sending", "after_post"])
def test_crash_between_running_and_saving_neither_skips_nor_repeats(
    crash_point, client, make_provider, chain, lilypad, user, monkeypatch
):
    first = make_provider()
    workflow_id = client.submit(workflow(cowsay(1, []), cowsay(2, [1]), cowsay(3, [2])), user)
    import tinyhops.provider.service as provider_module

    if crash_point == "after_execute":
        real_execute = provider_module.execute

        def execute_then_die(*args: Any) -> Any:
            real_execute(*args)
            raise Crash

        monkeypatch.setattr(provider_module, "execute", execute_then_die)
    elif crash_point == "after_sending":  # the answer sent, its receipt not yet read
        real_send = Sender.send

        def send_then_die(self: Any, *args: Any) -> Any:
            real_send(self, *args)
            raise Crash

        monkeypatch.setattr(Sender, "send", send_then_die)
    else:

        def die(*_args: Any) -> None:
            raise Crash

        monkeypatch.setattr(provider_module, "save_cursor", die)
    with pytest.raises(Crash):
        first.poll()
    monkeypatch.undo()

    restarted = make_provider()
    run_until_quiet(restarted)
    assert WorkflowStatus(client.registry.getWorkflow(workflow_id).status) is WorkflowStatus.COMPLETED
    answered = answers(chain, lilypad, first.start_block)
    assert len(answered) == 3 and set(answered.values()) == {1}
    skipped = [line for line in restarted.lines if "already answered, skipped" in line]  # type: ignore[attr-defined]
    assert len(skipped) == (0 if crash_point == "after_execute" else 1)  # found answered on-chain, not answered again


def test_a_reverting_post_is_retried_then_given_up(client, make_provider, chain, lilypad, deployer, provider, user):
    served = make_provider()
    client.submit(workflow(cowsay(1, [])), user)
    (job,) = lilypad.JobCreated.range(served.start_block, chain.blocks.height + 1)
    lilypad.setProvider(provider, False, sender=deployer)  # from now on every post reverts NotProvider
    try:
        assert served.poll() == 1
    finally:
        lilypad.setProvider(provider, True, sender=deployer)
    lines = served.lines  # type: ignore[attr-defined]
    reverted = [line for line in lines if "post reverted" in line]
    assert len(reverted) == 3 and all(f"NotProvider(caller={provider.address})" in line for line in reverted)
    assert any("GAVE UP" in line for line in lines)
    assert not lilypad.getJob(job.jobId).answered
    assert served.cursor.last_job == job.jobId and served.poll() == 0  # moved on: no crash, no retry loop


def test_keeper_advances_queued_steps(client, make_provider, user):
    served = make_provider(keeper=True)
    roots = [cowsay(i, []) for i in range(1, 6)]  # five ready at once; a submit dispatches only two
    workflow_id = client.submit(workflow(*roots), user)
    assert client.registry.getWorkflow(workflow_id).queuedCount == 3
    assert served.keeper is not None and served.keeper.tick() == 1  # one advance(id, 8) dispatches all three
    summary = client.registry.getWorkflow(workflow_id)
    assert (summary.queuedCount, summary.inFlightCount) == (0, 5)
    assert any(f"advanced workflow {workflow_id}" in line for line in served.lines)  # type: ignore[attr-defined]
    run_until_quiet(served)
    assert WorkflowStatus(client.registry.getWorkflow(workflow_id).status) is WorkflowStatus.COMPLETED


def test_keeper_expires_an_attempt_past_its_timeout(client, make_provider, chain, registry, user):
    served = make_provider(keeper=True)
    workflow_id = client.submit(workflow(cowsay(1, []), cowsay(2, [], timeout=60)), user)
    assert served.keeper is not None
    assert served.keeper.tick() == 0  # nothing overdue yet
    chain.mine(deltatime=61)
    assert served.keeper.tick() == 1
    (expired,) = registry.StepExpired.range(served.start_block, chain.blocks.height + 1)
    assert (expired.workflowId, expired.stepId) == (workflow_id, 2)
    assert StepStatus(registry.getStep(workflow_id, 1).status) is StepStatus.FAILED
    assert WorkflowStatus(registry.getWorkflow(workflow_id).status) is WorkflowStatus.FAILED


def test_stopping_while_retrying_a_post_leaves_the_job_for_the_next_run(
    client, make_provider, chain, lilypad, deployer, provider, user
):
    served = make_provider()
    client.submit(workflow(cowsay(1, [])), user)
    (job,) = lilypad.JobCreated.range(served.start_block, chain.blocks.height + 1)
    lines = served.lines  # type: ignore[attr-defined]

    def log(line: str) -> None:
        lines.append(line)
        if "post reverted" in line:
            served.stop.set()  # as SIGTERM would, while the post is being retried

    served.log = log
    lilypad.setProvider(provider, False, sender=deployer)
    try:
        assert served.poll() == 0
    finally:
        lilypad.setProvider(provider, True, sender=deployer)
    assert any("abandoned on stop" in line for line in lines) and not any("GAVE UP" in line for line in lines)
    assert served.cursor.last_job < job.jobId

    restarted = make_provider()
    assert restarted.poll() == 1 and lilypad.getJob(job.jobId).answered


def test_an_unregistered_account_is_refused(make_provider, lilypad, deployer, provider):
    lilypad.setProvider(provider, False, sender=deployer)
    with pytest.raises(ProviderError, match="is not a registered provider of the local Lilypad"):
        make_provider()


def test_serve_refuses_a_real_lilypad(project, chain, stack, tmp_path, monkeypatch):
    monkeypatch.setenv("TINYHOPS_DEPLOYMENTS", str(tmp_path / "deployments.json"))
    monkeypatch.setenv("TINYHOPS_HOME", str(tmp_path / "home"))
    addresses = (stack.registry.address, stack.lilypad.address)
    record(Deployment(chain.chain_id, *addresses, False, None, 0))
    with pytest.raises(ProviderError, match="^the provider serves only the local Lilypad stand-in$"):
        serve(project, chain, None, 0.1, True)
