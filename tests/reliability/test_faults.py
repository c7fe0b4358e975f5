"""Faults, all drawn from one seed (TINYHOPS_SEED) so that any failure replays:

- the real provider process (`ape run provider --faults SEED:FAIL:HANG`) is SIGKILLed at random points, at least
  20 times, and restarted: while starting, at a random moment of its work, right after it posted an answer;
- modules fail at random (the plan's JOB_FAILED answers, and a module that does not exist) and steps hang past
  their timeout (the plan's unanswered jobs), expired by the provider's keeper or by a stranger;
- while the provider is down, its account answers by hand: new jobs out of order, answered jobs a second time
  (LocalLilypad refuses: JobAlreadyAnswered), and late answers for expired and superseded attempts and for
  cancelled workflows (the registry ignores them: ResultIgnored).

Every workflow must end as the plan predicts, every job be answered exactly once and its answer taken exactly
once by the registry, and every wei be accounted for.

On Lilypad v2 (parametrised "v2") the same run, where v2 differs: the provider is LocalLilypadV2's controller
and takes each job's deposit first; v2 has no failure callback, so an injected failure and a module that does
not exist leave the job unanswered and its step's timeout expires it (then it retries); a second answer for an
answered job reaches the registry (LocalLilypadV2 keeps no answered flag), which ignores it (ResultIgnored);
money balances to the token unit (deposits taken by the controller plus what it is still allowed). The default
profile is smaller on v2 (fewer kills and workflows): the v1 run already covers the kill points in number.
"""

from __future__ import annotations

import contextlib
import copy
import random
import time
from collections import Counter
from typing import Any

import pytest
from eth_account import Account

from tinyhops import spec
from tinyhops.chain.registry_client import StepStatus, WorkflowStatus
from tinyhops.provider.faults import FAILURE_REASON, Fault, FaultPlan
from tinyhops.provider.modules import MODULES
from tinyhops.testing import shapes
from tinyhops.testing.provider_process import ProviderProcessError, job_lines
from tinyhops.testing.reliability.ledger import reconcile
from tinyhops.testing.reliability.rawchain import ok
from tinyhops.testing.reliability.record import profile, record, seed
from tinyhops.testing.reliability.standin import DUPLICATE_OUTCOME, Jobs, StandIn, jobs_in
from tinyhops.testing.reliability.verdict import EXPIRED, lost_or_doubled, predict

KILLS = {"v1": profile(20, 60), "v2": profile(8, 60)}
FAIL_RATE, HANG_RATE = 0.15, 0.08
RETRIES = 5
# Seconds of chain time, far longer than any answer takes: anvil stamps each block at least a second after its
# parent, so under load its clock races ahead of the wall clock, and a short timeout would expire attempts the
# provider is merely slow to answer (then what expires, and the figures, would follow the machine's speed, not
# the seed). Hung jobs expire when the test moves the clock on: when only hung jobs are left in flight.
TIMEOUT = 86_400
# How long the chain may show no progress at all (no block, no provider log line) before the run is stuck.
STALL_SECONDS = 180
INITIAL_WORKFLOWS = {"v1": profile(8, 24), "v2": profile(4, 24)}
CANCEL_EVERY = 4  # kill windows
OWNERS = (1, 2, 3)
STRANGER = 6
KILL_KINDS = {"startup": 1, "timed": 5, "after a post": 4}


def harden(document: dict[str, Any], retries: int = RETRIES, timeout: int = TIMEOUT) -> dict[str, Any]:
    """Every step with `retries` and `timeout`."""
    document = copy.deepcopy(document)
    for entry in document["steps"]:
        for step in entry if isinstance(entry, list) else [entry]:
            step.setdefault("retries", retries)
            step.setdefault("timeout", timeout)
    return document


def random_shape(rng: random.Random) -> dict[str, Any]:
    return rng.choice(
        [
            lambda: shapes.chain(rng.randint(2, 5)),
            lambda: shapes.fan_out(rng.randint(2, 4)),
            lambda: shapes.fan(rng.randint(2, 4)),
            lambda: shapes.random_dag(rng.randint(3, 6), seed=rng.randrange(10**6)),
        ]
    )()


def roots_workflow(tag: str) -> dict[str, Any]:
    """Three roots and a join: a submit dispatches two jobs at once (the third waits for `advance`)."""
    module = {"cmd": "cowsay:v0.0.1", "cost": "1"}
    steps: list[dict[str, Any]] = [
        {"stepId": str(i), "needs": [], "stepModule": {**module, "params": f"{tag} root {i}"}} for i in (1, 2, 3)
    ]
    join = {"cmd": "cowsay:v0.0.1", "params": f"{tag} join {{{{stepId:1}}}} {{{{stepId:3}}}}", "cost": "1"}
    steps.append({"stepId": "4", "needs": ["1", "2", "3"], "stepModule": join})
    return harden({"version": "v0.0.1", "name": tag, "steps": [steps]})


def failing_workflow(backend: str) -> dict[str, Any]:
    """A chain whose middle step's module does not exist: it fails twice for real (v1: the provider posts the
    failure; v2: it leaves the job unanswered and the attempt expires), then the workflow fails."""
    document = harden(shapes.chain(3))
    document["steps"][1]["stepModule"]["cmd"] = "nosuchmodule:v0.0.1"
    document["steps"][1]["retries"] = 1
    if backend == "v2":  # no main input is known for a module that does not exist: it takes none
        document["steps"][1]["stepModule"]["params"] = ""
    return document


class Run:
    """The workflows of a fault run, who submitted them, and the tally of what was done to them."""

    def __init__(self, harness: Any, plan: FaultPlan, suite_seed: int):
        self.harness, self.stack, self.plan = harness, harness.stack, plan
        self.backend = harness.stack.backend
        # Separate streams: what is submitted must not depend on timing (how many jobs a pick chose among).
        self.shapes = random.Random(f"{suite_seed}:workflows")
        self.timing = random.Random(f"{suite_seed}:kills")
        self.picks = random.Random(f"{suite_seed}:picks")
        self.owners = [harness.keys[i] for i in OWNERS]
        self.standin = StandIn(self.stack, harness.provider_key, harness.keys[STRANGER], harness.store, plan)
        self.workflows: dict[int, spec.Workflow] = {}
        self.cancelled: set[int] = set()
        self.tally: Counter[str] = Counter()

    def submit(self, document: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        workflow = spec.load(document)
        workflow_id, receipt = self.stack.submit(self.owners[len(self.workflows) % len(self.owners)], workflow)
        self.workflows[workflow_id] = workflow
        return workflow_id, receipt

    def timeouts(self) -> dict[int, dict[int, int]]:
        return {i: {p: s.timeout for p, s in enumerate(w.steps)} for i, w in self.workflows.items()}

    def live(self) -> list[int]:
        return [i for i in self.workflows if not self.stack.status(i).final]

    def owner_of(self, workflow_id: int) -> str:
        return self.owners[(workflow_id - 1) % len(self.owners)]

    def unanswerable(self, key: tuple[int, int, int]) -> bool:
        """Whether the provider leaves the attempt `key` unanswered: a hang; on v2 also an injected failure or a
        module that does not run (v2 has no failure to post)."""
        fault = self.plan.decide(key)
        if fault is Fault.HANG:
            return True
        if self.backend == "v1":
            return False
        return fault is Fault.FAIL or self.workflows[key[0]].steps[key[1]].module not in MODULES

    def kill_somewhere(self, number: int) -> None:
        """Start the provider, SIGKILL it at a random point (the first time: right after a post)."""
        child = self.harness.start_provider("--faults", str(self.plan))
        kind = "after a post" if number == 0 else self.timing.choices(list(KILL_KINDS), list(KILL_KINDS.values()))[0]
        if kind == "startup":
            time.sleep(self.timing.uniform(0.3, 2.5))
        else:
            child.wait_ready()
            if kind == "timed":
                time.sleep(self.timing.uniform(0.1, 2.0))
            else:
                seen = len(child.job_lines())
                with contextlib.suppress(ProviderProcessError):  # nothing to do: killed idle
                    child.wait_for(lambda lines: len(job_lines(lines)) > seen, 3, "a job line")
        child.kill()
        time.sleep(0.1)  # let a request the provider sent as it died land before anyone reads the chain
        self.tally["kills"] += 1
        self.tally[f"kills {kind}"] += 1

    def window(self, number: int) -> None:
        """What happens while the provider is down: a duplicate answer, a stranger expiring overdue attempts,
        late answers, new work answered out of order, sometimes a cancel."""
        stack, standin = self.stack, self.standin
        jobs = Jobs.read(stack)
        if jobs.answered:
            job_id = self.picks.choice(sorted(jobs.answered))
            assert standin.duplicate(job_id, "a second answer") == DUPLICATE_OUTCOME[self.backend]
            self.tally["duplicates refused"] += 1
        self.tally["expired by a stranger"] += len(standin.expire_overdue(self.live(), self.timeouts()))
        self.answer_late()
        self.submit(harden(random_shape(self.shapes)))
        workflow_id, receipt = self.submit(roots_workflow(f"window {number}"))
        created = jobs_in(stack, receipt)
        assert len(created) == 2, "a roots workflow dispatches two jobs on submit"
        routes = Jobs.read(stack).routes
        first = min(j.job_id for j in created)
        for job in sorted(created, key=lambda j: j.job_id, reverse=True):  # the later job first
            if standin.answer(job, routes[job.job_id]) is not None and job.job_id != first:
                self.tally["answered out of order"] += 1
        if number % CANCEL_EVERY == CANCEL_EVERY - 1:
            workflow_id, _ = self.submit(roots_workflow(f"cancelled in window {number}"))
            assert ok(stack.registry.send(self.owner_of(workflow_id), "cancel", workflow_id))
            self.cancelled.add(workflow_id)

    def only_hangs_in_flight(self) -> bool:
        """Nothing queued and every attempt in flight one the provider leaves unanswered: only time can help."""
        stack, hung = self.stack, False
        for workflow_id in self.live():
            summary = stack.registry.call("getWorkflow", workflow_id)
            if summary.queuedCount:
                return False
            for index, state in enumerate(stack.registry.call("getSteps", workflow_id)):
                if StepStatus(state.status) is StepStatus.DISPATCHED:
                    if not self.unanswerable((workflow_id, index, state.attempts)):
                        return False
                    hung = True
        return hung

    def drive_to_the_end(self, child: Any) -> dict[int, WorkflowStatus]:
        """Wait for every workflow to end, moving the chain's clock past the timeouts whenever only hung jobs
        are left in flight (the provider's keeper, or the stranger, then expires them). Waits as long as the
        run makes progress (new blocks, new provider log lines), however slow the machine; gives up after
        STALL_SECONDS without any."""
        progress, last_progress = None, time.monotonic()
        while child.process.poll() is None:
            statuses = {i: self.stack.status(i) for i in self.workflows}
            if all(s.final for s in statuses.values()):
                return statuses
            if self.only_hangs_in_flight():
                self.stack.chain.request("evm_increaseTime", [TIMEOUT])
                self.stack.chain.request("evm_mine", [])
                self.tally["clock moved on"] += 1
                self.tally["expired by a stranger"] += len(self.standin.expire_overdue(self.live(), self.timeouts()))
            # A provider that logs the same lines poll after poll (a poll failing for ever, say) is not progress:
            # count lines by their text, less their time stamp.
            now = (self.stack.chain.block_number(), len({line.partition(" ")[2] for line in child.lines}))
            if now != progress:
                progress, last_progress = now, time.monotonic()
            elif time.monotonic() - last_progress > STALL_SECONDS:
                break
            time.sleep(0.5)
        return {i: self.stack.status(i) for i in self.workflows}

    def answer_late(self) -> None:
        """Answer, as the provider account, every unanswered job whose attempt is over: expired, superseded, or
        of a workflow that has ended. The registry must ignore each answer (ResultIgnored)."""
        stack = self.stack
        jobs = Jobs.read(stack)
        expired = {(e.workflowId, e.stepIndex, e.attempt) for e in stack.registry.history(stack.block, "StepExpired")}
        for job_id in jobs.pending():
            route = jobs.routes[job_id]
            status = stack.status(route.workflow_id)
            if route.key in expired:
                kind = "late after expiry"
            elif route.workflow_id in self.cancelled:
                kind = "late after cancel"
            elif status.final:
                kind = "late after the workflow ended"
            else:
                continue  # the current attempt: not late
            receipt = self.standin.post(job_id, True, f"late answer for job {job_id}")
            ignored = stack.registry.receipt_events(receipt, "ResultIgnored")
            assert [(e.workflowId, e.stepIndex, e.attempt) for e in ignored] == [route.key], kind
            self.tally[kind] += 1


@pytest.mark.parametrize("backend", ["v1", "v2"])
def test_provider_killed_faults_injected_late_and_duplicate_answers_every_workflow_ends_right(
    harness: Any, backend: str
) -> None:
    plan = FaultPlan(seed(), FAIL_RATE, HANG_RATE)
    run = Run(harness, plan, seed())
    stack = harness.stack
    provider = Account.from_key(harness.provider_key).address
    for _ in range(INITIAL_WORKFLOWS[backend]):
        run.submit(harden(random_shape(run.shapes)))
    failing_id, _ = run.submit(failing_workflow(backend))
    for number in range(KILLS[backend]):
        run.kill_somewhere(number)
        run.window(number)

    final = harness.start_provider("--faults", str(plan))
    final.wait_ready()
    ids = sorted(run.workflows)
    statuses = run.drive_to_the_end(final)
    assert all(s.final for s in statuses.values()), f"{statuses}\n{final.output_tail()}"
    assert final.stop() == 0
    run.answer_late()

    # Every workflow ended as the plan says; every step succeeded on the attempt the plan says.
    events = stack.registry.history(stack.block)
    expiries = [e for e in events if e.name == "StepExpired"]
    expired = {(e.workflowId, e.stepIndex, e.attempt) for e in expiries}
    # Normally only jobs left unanswered expire; one the provider was too slow for (a very loaded machine) is a
    # failed attempt too, and the prediction takes it into account.
    spurious = {k for k in expired if not run.unanswerable(k)}
    for workflow_id, workflow in run.workflows.items():
        status = statuses[workflow_id]
        if workflow_id in run.cancelled:
            assert status is WorkflowStatus.CANCELLED
            continue
        prediction = predict(plan, workflow_id, workflow, expired)
        assert status is prediction.status, f"workflow {workflow_id}: {status.name}, predicted {prediction}"
        if status is WorkflowStatus.COMPLETED:
            attempts = {i: s.attempts for i, s in enumerate(stack.registry.call("getSteps", workflow_id))}
            assert attempts == prediction.succeeds_at, f"workflow {workflow_id}"
    assert statuses[failing_id] is WorkflowStatus.FAILED

    # Nothing lost, nothing answered twice; what the provider process answered is what the plan says.
    jobs = Jobs.read(stack)
    assert not jobs.pending(), f"jobs never answered: {jobs.pending()}"
    assert not lost_or_doubled(jobs, events, backend, run.standin.duplicates)
    for job_id, (answer, *_) in jobs.answered.items():
        if job_id in run.standin.posted:
            continue
        route = jobs.routes[job_id]
        fault = plan.decide(route.key)
        assert answer.provider == provider and fault is not Fault.HANG, f"job {job_id}: the provider answered a hang"
        if backend == "v2":  # v2 answers only results: of jobs the plan leaves alone, of modules that run
            assert not run.unanswerable(route.key), f"job {job_id}: the provider answered a job it cannot"
            assert not answer.failed and harness.store.get(f"{answer.result}/stdout"), job_id
        elif fault is Fault.FAIL:
            assert (answer.failed, answer.result) == (True, FAILURE_REASON), job_id
        elif jobs.created[job_id].module == "cowsay:v0.0.1":
            assert not answer.failed and harness.store.get(f"{answer.result}/stdout"), job_id
        else:
            assert answer.failed and answer.result.startswith("unknown module"), job_id
    sample = run.picks.sample(sorted(jobs.answered), min(30, len(jobs.answered)))
    for job_id in sample:
        assert run.standin.duplicate(job_id, "once more") == DUPLICATE_OUTCOME[backend]
    run.tally["duplicates refused"] += len(sample)
    output = harness.output()
    assert "GAVE UP" not in output and "Traceback" not in output

    # Money: two owners withdraw, one leaves it refundable; every wei is accounted for.
    for key in run.owners[:2]:
        if stack.registry.call("refundableOf", Account.from_key(key).address):
            assert ok(stack.registry.send(key, "withdraw"))
    ledger = reconcile(stack)
    assert not ledger.problems, ledger.problems

    answers = [a for (a, *_) in jobs.answered.values()]
    late: Counter[str] = Counter()
    duplicates = Counter(run.standin.duplicates)  # v2: the last answers of these jobs, counted as such
    for event in reversed(stack.registry.history(stack.block, "ResultIgnored")):
        key = (event.workflowId, event.stepIndex, event.attempt)
        if duplicates[event.jobId]:
            duplicates[event.jobId] -= 1
            continue
        cause = "expiry" if key in expired else "cancel" if event.workflowId in run.cancelled else "end"
        late[cause] += 1
    final_statuses = Counter(s.name.lower() for s in statuses.values())
    record(
        "faults" if backend == "v1" else "faults_v2",
        seed=seed(),
        plan=str(plan),
        workflows=len(ids),
        ended_as_predicted=len(ids),
        completed=final_statuses["completed"],
        failed=final_statuses["failed"],
        cancelled=final_statuses["cancelled"],
        jobs=len(jobs.created),
        provider_starts=len(harness.children),
        injected_failures=sum(a.failed and a.result == FAILURE_REASON for a in answers),
        module_failures=sum(a.failed and a.result.startswith("unknown module") for a in answers),
        hangs=sum(plan.decide(r.key) is Fault.HANG for r in jobs.routes.values()),
        left_unanswered=sum(run.unanswerable(r.key) for r in jobs.routes.values()),
        expiries=len(expiries),
        expired_by_keeper=sum(e.expiredBy == provider for e in expiries),
        expired_although_answerable=len(spurious),
        retried_after_expiry=sum(e.name == "StepFailed" and e.reason == EXPIRED and e.willRetry for e in events),
        late_after_expiry=late["expiry"],
        late_after_cancel=late["cancel"],
        late_after_end=late["end"],
        late_posted_by_hand=sum(v for k, v in run.tally.items() if k.startswith("late")),
        wei_unaccounted=ledger.unaccounted,
        **{k.replace(" ", "_"): v for k, v in sorted(run.tally.items()) if not k.startswith("late")},
    )
