"""Chain faults: the anvil under a running workflow goes down twice and comes back from saved state, once
stopped cleanly (it dumps its state on exit and resumes where it was), once killed and started from a state
saved a few jobs earlier (the chain rolls back: answers the provider posted are gone). The real provider
(`ape run provider`) and monitor (`tiny-hops monitor`) keep running through both; the provider reconnects and
redoes what the rollback undid, the monitor reconnects and reports the workflow Completed.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tinyhops import spec
from tinyhops.chain import address_book
from tinyhops.chain.accounts import PROVIDER_TEST_ACCOUNT
from tinyhops.chain.registry_client import StepStatus, WorkflowStatus
from tinyhops.paths import PROJECT_ROOT
from tinyhops.testing import shapes
from tinyhops.testing.provider_process import job_lines, start_provider
from tinyhops.testing.reliability.anvil import Anvil, spawn
from tinyhops.testing.reliability.record import record
from tinyhops.testing.reliability.stack import Stack, deploy_stack
from tinyhops.testing.reliability.standin import Jobs

STEPS = 40
DOWN_SECONDS = 1.5  # long enough for the provider's and the monitor's polls to fail


def wait_jobs(child: Any, count: int) -> None:
    child.wait_for(lambda lines: len(job_lines(lines)) >= count, 60, f"{count} job lines")


def test_anvil_restarted_from_saved_state_provider_and_monitor_reconnect(
    project: Any, accounts: Any, tmp_path: Path
) -> None:
    anvil = Anvil(tmp_path)
    home, deployments_file = tmp_path / "home", tmp_path / "address_book.json"
    chain = anvil.start()
    children = []
    try:
        keys = [accounts[i].private_key for i in (0, 1)]
        deployment = deploy_stack(chain, keys[0], accounts[PROVIDER_TEST_ACCOUNT].address)
        address_book.record(deployment, deployments_file)
        stack = Stack.attach(chain, project, deployment)
        workflow_id, _ = stack.submit(keys[1], spec.load(shapes.chain(STEPS)))
        env = {"TINYHOPS_HOME": str(home), "TINYHOPS_DEPLOYMENTS": str(deployments_file)}
        monitor_command = [str(Path(sys.executable).with_name("tiny-hops")), "monitor", str(workflow_id)]
        monitor = spawn([*monitor_command, "--rpc", anvil.url], env, PROJECT_ROOT)
        children.append(monitor)
        # The monitor is connected once it says it follows the workflow (its start-up is slow on a loaded
        # machine, and a node gone while it connects is an error, not an outage).
        monitor.wait_for(
            lambda lines: any(f"following workflow {workflow_id}" in line for line in lines), 120, "monitor"
        )
        provider = start_provider(anvil.url, home, deployments_file, "--poll", "0.2")
        children.append(provider)

        # 1. Stopped cleanly mid-run: anvil dumps its state and comes back exactly where it was.
        wait_jobs(provider, 3)
        anvil.stop()
        time.sleep(DOWN_SECONDS)
        chain = anvil.start()
        assert WorkflowStatus(stack.status(workflow_id)) is WorkflowStatus.RUNNING

        # 2. Killed, and started from a state saved a few jobs earlier: the chain forgets those answers.
        wait_jobs(provider, 8)
        saved_block = anvil.save(chain, tmp_path / "saved-state.json")
        answered_when_saved = len(Jobs.read(stack).answered)
        wait_jobs(provider, len(job_lines(provider.snapshot())) + 4)
        lost_block = chain.block_number()
        anvil.kill()
        anvil.restore(tmp_path / "saved-state.json")
        time.sleep(DOWN_SECONDS)
        chain = anvil.start()
        assert chain.block_number() == saved_block < lost_block
        assert len(Jobs.read(stack).answered) == answered_when_saved

        # Both children carry on: the workflow completes, and the monitor says so.
        status = stack.wait_final([workflow_id], alive=lambda: provider.process.poll() is None)[workflow_id]
        assert status is WorkflowStatus.COMPLETED, f"{status.name}; provider:\n{provider.output_tail(60)}"
        monitor.process.wait(timeout=180)  # it polls; a loaded machine makes it slow
        assert monitor.process.returncode == 0, monitor.output_tail()
        assert f"Workflow {workflow_id}: Completed, {STEPS}/{STEPS} steps" in monitor.output
        assert "Traceback" not in monitor.output
        assert stack.status(workflow_id) is WorkflowStatus.COMPLETED
        states = stack.registry.call("getSteps", workflow_id)
        assert all(StepStatus(s.status) is StepStatus.COMPLETED and s.attempts == 1 for s in states)
        jobs = Jobs.read(stack)
        assert sorted(jobs.created) == list(range(1, STEPS + 1))
        assert Counter(len(a) for a in jobs.answered.values()) == Counter({1: STEPS})
        assert provider.stop() == 0
        assert "poll failed" in provider.output  # it did see the chain go away
        assert "GAVE UP" not in provider.output and "Traceback" not in provider.output
        record(
            "chain",
            anvil_restarts=anvil.starts - 1,
            rolled_back_blocks=lost_block - saved_block,
            steps=STEPS,
            completed=1,
        )
    finally:
        for child in children:
            child.kill()
        if anvil.process is not None and anvil.process.poll() is None:
            anvil.kill()
