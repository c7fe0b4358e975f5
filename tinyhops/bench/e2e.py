"""End-to-end timing through the real provider: from the submit transaction to the workflow's completion,
with `ape run provider` running as a child process on the same chain, against fresh contracts."""

from __future__ import annotations

import json
import re
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tinyhops import spec
from tinyhops.chain.accounts import USER_TEST_ACCOUNT
from tinyhops.chain.address_book import LOCAL_CHAIN_IDS
from tinyhops.chain.registry_client import RegistryClient, WorkflowStatus
from tinyhops.errors import TinyHopsError
from tinyhops.paths import PROJECT_ROOT
from tinyhops.spec.sample import sample_document
from tinyhops.testing import shapes
from tinyhops.testing.provider_process import ProviderProcess
from tinyhops.testing.provider_stack import ProviderStack

SAMPLE_FILE = PROJECT_ROOT / "sample.thops.json"
FAN_OUT_WIDTH = 98  # 1 + 98 + 1 = 100 steps
_TIMES = re.compile(r" ran ([0-9.]+)s, posted ([0-9.]+)s ")


class BenchError(TinyHopsError):
    """The benchmark could not run or a workflow did not complete."""


@dataclass(frozen=True)
class Timing:
    name: str
    steps: int
    jobs: int
    seconds: float
    run_seconds: float  # summed module run time, from the provider's job lines
    post_seconds: float  # summed time to post the answers (each post mines the next dispatches)

    @property
    def jobs_per_second(self) -> float:
        return self.jobs / self.seconds if self.seconds else 0.0


def default_workflows() -> list[tuple[str, spec.Workflow]]:
    sample = spec.load(SAMPLE_FILE) if SAMPLE_FILE.exists() else spec.load(sample_document())
    return [("sample", sample), (f"fan-out 1-{FAN_OUT_WIDTH}-1", spec.load(shapes.fan_out(FAN_OUT_WIDTH)))]


def run(
    project: Any,
    chain: Any,
    test_accounts: list[Any],
    workflows: list[tuple[str, spec.Workflow]],
    poll: float,
    backend: str = "v1",
) -> list[Timing]:
    """Deploy fresh contracts of `backend` (v1 or v2), start the provider, then submit each workflow and time it
    to completion."""
    if chain.chain_id not in LOCAL_CHAIN_IDS:
        raise BenchError(f"chain {chain.chain_id} is not a local chain: the benchmark needs its test accounts")
    with tempfile.TemporaryDirectory(prefix="tinyhops-bench-") as folder:
        stack = ProviderStack.deploy(project, chain, test_accounts, Path(folder), backend)
        client = RegistryClient(project, stack.deployment)
        child = stack.start_provider(poll=poll)
        try:
            child.wait_ready()
            timings = [_time(client, child, name, w, test_accounts[USER_TEST_ACCOUNT]) for name, w in workflows]
        except BaseException:
            child.kill()
            raise
        if (code := child.stop()) != 0:
            raise BenchError(f"the provider exited with {code} on SIGTERM:\n{child.output_tail()}")
        return timings


def _time(client: RegistryClient, child: ProviderProcess, name: str, workflow: spec.Workflow, user: Any) -> Timing:
    first_line, first_job = len(child.lines), _job_count(client)
    started = time.perf_counter()
    workflow_id = client.submit(workflow, user)
    while not WorkflowStatus(client.registry.getWorkflow(workflow_id).status).final:
        if child.process.poll() is not None:
            raise BenchError(f"the provider exited during {name}:\n{child.output_tail()}")
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    status = WorkflowStatus(client.registry.getWorkflow(workflow_id).status)
    if status is not WorkflowStatus.COMPLETED:
        raise BenchError(f"{name} ended {status.name}:\n{child.output_tail()}")
    jobs = _job_count(client) - first_job
    # The provider logs a job just after its post is mined: wait for the last line to arrive.
    child.wait_for(lambda lines: len(_job_times(lines[first_line:])) >= jobs, 10, f"{jobs} job lines")
    times = _job_times(child.snapshot()[first_line:])
    return Timing(
        name=name,
        steps=len(workflow.steps),
        jobs=jobs,
        seconds=seconds,
        run_seconds=sum(t[0] for t in times),
        post_seconds=sum(t[1] for t in times),
    )


def _job_count(client: RegistryClient) -> int:
    """Jobs the deployment's Lilypad has issued so far (v1's `jobCount`, v2's `nextJobID`)."""
    return int(client.lilypad.nextJobID() if client.backend == "v2" else client.lilypad.jobCount())


def _job_times(lines: list[str]) -> list[tuple[float, float]]:
    """(run seconds, post seconds) of each job line."""
    return [(float(m[1]), float(m[2])) for line in lines if (m := _TIMES.search(line))]


def table(timings: list[Timing]) -> str:
    lines = [f"{'workflow':<18} {'steps':>5} {'jobs':>5} {'seconds':>8} {'jobs/s':>7} {'run s':>6} {'post s':>7}"]
    for t in timings:
        lines.append(
            f"{t.name:<18} {t.steps:>5} {t.jobs:>5} {t.seconds:>8.2f} {t.jobs_per_second:>7.1f} "
            f"{t.run_seconds:>6.2f} {t.post_seconds:>7.2f}"
        )
    lines.append("seconds: submit transaction sent -> workflow Completed; provider as a child process.")
    return "\n".join(lines)


def as_json(timings: list[Timing]) -> str:
    return json.dumps([asdict(t) | {"jobs_per_second": t.jobs_per_second} for t in timings])
