"""What a fault run must have done, worked out from the fault plan alone, and the chain's record checked against
it: how each workflow ends, on which attempt each step succeeds, and that every job's answer was taken exactly
once (a result, a failure, or ignored as late)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tinyhops.chain.registry_client import WorkflowStatus
from tinyhops.provider.faults import Fault, FaultPlan
from tinyhops.provider.modules import MODULES
from tinyhops.spec.model import Workflow
from tinyhops.testing.reliability.rawchain import Event
from tinyhops.testing.reliability.standin import Jobs

EXPIRED = "expired"


@dataclass(frozen=True)
class Prediction:
    status: WorkflowStatus
    succeeds_at: dict[int, int | None]  # step position -> the attempt that succeeds, None if none does


def predict(
    plan: FaultPlan, workflow_id: int, workflow: Workflow, expired: set[tuple[int, int, int]] | None = None
) -> Prediction:
    """Without cancellation: a step succeeds on its first attempt that the plan leaves alone and nobody expired
    (`expired`: the attempts that were, normally exactly the plan's hangs), if its module runs. The workflow
    completes if every step has such an attempt among its 1 + retries, else it fails."""
    expired = expired or set()
    succeeds_at: dict[int, int | None] = {}
    for index, step in enumerate(workflow.steps):
        runs = step.module in MODULES
        keys = [(workflow_id, index, a) for a in range(1, step.retries + 2)]
        succeeds_at[index] = next(
            (k[2] for k in keys if runs and k not in expired and plan.decide(k) is Fault.NONE), None
        )
    done = all(a is not None for a in succeeds_at.values())
    return Prediction(WorkflowStatus.COMPLETED if done else WorkflowStatus.FAILED, succeeds_at)


def answers_taken(registry_events: list[Event]) -> Counter[tuple[int, int, int]]:
    """How many answers the registry took per (workflow, step position, attempt): a result, a failure (not an
    expiry, which is no answer), or one ignored."""
    taken: Counter[tuple[int, int, int]] = Counter()
    for event in registry_events:
        answer = event.name in ("StepCompleted", "ResultIgnored")
        if answer or (event.name == "StepFailed" and event.reason != EXPIRED):
            taken[(event.workflowId, event.stepIndex, event.attempt)] += 1
    return taken


def lost_or_doubled(
    jobs: Jobs, registry_events: list[Event], backend: str = "v1", duplicates: Counter[int] | None = None
) -> list[str]:
    """Every job answered once and its answer taken once by the registry; what is not. v1: the answers are
    LocalLilypad's record, each checked against the registry's. v2: LocalLilypadV2 records no answer, so the
    answers are the registry's own record; `duplicates` are the second answers sent on purpose (each taken as
    ignored), which a job may have on top of its one."""
    problems = []
    duplicates = duplicates or Counter()
    taken = answers_taken(registry_events)
    for job_id in sorted(jobs.created):
        answers = len(jobs.answered.get(job_id, [])) - duplicates[job_id]
        route = jobs.routes.get(job_id)
        if answers != 1:
            problems.append(f"job {job_id} answered {answers} times (besides {duplicates[job_id]} duplicates)")
        if route is None:
            problems.append(f"job {job_id} was not dispatched by the registry")
        elif backend == "v1" and taken[route.key] != answers:
            problems.append(f"job {job_id} ({route}): {answers} answers, the registry took {taken[route.key]}")
    return problems
