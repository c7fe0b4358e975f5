"""A workflow rebuilt from its events and its definition: the registry's own story (WorkflowRegistry.sol)
replayed in Python, guided by the events each transaction emitted.

Events say what was dispatched, deferred, completed, failed, paid and refunded. What they do not say, the
definition does: which steps a result notifies (children), how many results a step waits for, and the budgets
a delivery, a resume or an `advance` works with (MAX_NOTIFY_PER_DELIVERY, MAX_DISPATCH_PER_DELIVERY, advance's
own argument). Replaying the registry's work queue with them gives `queuedCount` too. Wherever the registry
decides something the events show (dispatched or deferred, for lack of gas or budget), the replay follows the
event, so it never guesses gas.

A redrive (WorkflowRedriven, then StepRedriven for each step back in play) starts the next run: its money
starts again from the top-up, its steps' attempts from 0; the attempts of every run stay in the history, each
with its run. A job's late refund is this run's money back only if the job was dispatched in this run.

One thing no event shows: an `advance` that only counts results towards steps that stay waiting emits nothing,
so its progress through the queue is invisible, and `queued` can read higher than the registry's until the
next event of that workflow moves the queue (it is exact again once the workflow ends).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tinyhops.index.definition import Definition

MAX_NOTIFY_PER_DELIVERY = 4  # WorkflowLimits.sol (a test keeps them equal)
MAX_DISPATCH_PER_DELIVERY = 2
MAX_STEPS = 1000
MAX_RETRIES = 5

# IWorkflowRegistry's enums, by name (tinyhops.chain.registry_client has them as IntEnums; this layer stays
# free of Ape, which that module's package imports lazily but its callers do not).
RUNNING, PAUSED, COMPLETED_WF, FAILED_WF, CANCELLED_WF = 1, 2, 3, 4, 5
WAITING, READY, DISPATCHED, COMPLETED, FAILED, SKIPPED, CANCELLED = range(7)
NOTIFY = 1 << 31

# The reasons the registry itself gives (WorkflowRegistry.sol).
DISPATCH_FAILURES = ("dispatch reverted", "bad job id")


class ReplayMismatch(Exception):
    """The events do not follow the registry's story as this replay knows it (a new contract version?)."""


@dataclass(frozen=True)
class LoggedEvent:
    block: int
    log_index: int
    tx_hash: str
    timestamp: int
    contract: str
    name: str
    args: dict[str, Any]


@dataclass
class Attempt:
    attempt: int
    job_id: int
    cost: int
    params: str
    dispatched_block: int
    dispatched_at: int
    outcome: str = "in flight"  # completed, failed, expired, cancelled, dispatch failed
    reason: str = ""
    cid: str = ""
    ended_block: int | None = None
    ended_at: int | None = None
    run: int = 1


@dataclass
class StepState:
    index: int
    word_status: int = WAITING  # the step word's own status; `status` is what the views read
    attempts: int = 0
    dispatched_at: int = 0
    job_id: int = 0
    satisfied: int = 0
    result_cid: str = ""
    completed_at: int | None = None
    failures: list[tuple[int, str, bool]] = field(default_factory=list)  # (attempt, reason, will retry)
    history: list[Attempt] = field(default_factory=list)


@dataclass
class Budget:
    notifies: int
    dispatches: int


@dataclass
class WorkflowState:
    workflow_id: int
    definition: Definition
    status: int = RUNNING
    deposited: int = 0
    spent: int = 0
    in_flight: int = 0
    completed: int = 0
    queue: list[int] = field(default_factory=list)
    head: int = 0
    submitted_block: int = 0
    submitted_at: int = 0
    finished_at: int | None = None
    refunds: int = 0  # credited to the owner (Refunded events)
    run: int = 1  # deposited and spent are this run's
    job_runs: dict[int, int] = field(default_factory=dict)  # job id -> the run it was dispatched in
    steps: list[StepState] = field(default_factory=list)
    payments: list[tuple[int, int, int, int]] = field(default_factory=list)  # (block, log index, job id, amount)
    job_refunds: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def live(self) -> bool:
        return self.status in (RUNNING, PAUSED)

    @property
    def balance(self) -> int:
        return self.deposited - self.spent if self.live else 0

    @property
    def refunded(self) -> int:
        return 0 if self.live else self.deposited - self.spent

    @property
    def queued(self) -> int:
        return len(self.queue) - self.head

    def step_status(self, step: StepState) -> int:
        if self.status in (FAILED_WF, CANCELLED_WF):
            if step.word_status == DISPATCHED:
                return CANCELLED
            if step.word_status < DISPATCHED:
                return SKIPPED
        return step.word_status

    def params_of(self, step: StepState) -> str:
        if step.attempts == 0 and step.word_status != COMPLETED:  # a step served from the cache has params
            return ""
        results = {s.index: s.result_cid for s in self.steps}
        return self.definition.steps[step.index].resolve(results)


# What a transaction called, when its events alone do not say (an `advance`): its `maxDispatches`, or None.
AdvanceArgument = Callable[[str], int | None]


def replay(workflow_id: int, definition: Definition, events: list[LoggedEvent], advance_argument: AdvanceArgument):
    """The workflow as its events (in chain order) leave it."""
    state = WorkflowState(workflow_id, definition, steps=[StepState(s.index) for s in definition.steps])
    i = 0
    while i < len(events):
        tx = events[i].tx_hash
        j = i
        while j < len(events) and events[j].tx_hash == tx:
            j += 1
        _Transaction(state, events[i:j], advance_argument).run()
        i = j
    return state


class _Transaction:
    """One transaction's events of one workflow, consumed as the registry's story emits them."""

    def __init__(self, state: WorkflowState, events: list[LoggedEvent], advance_argument: AdvanceArgument):
        self.w = state
        self.events = events
        self.at = 0
        self.advance_argument = advance_argument

    # ------------------------------------------------------------ walking the events

    def peek(self) -> LoggedEvent | None:
        return self.events[self.at] if self.at < len(self.events) else None

    def take(self) -> LoggedEvent:
        event = self.events[self.at]
        self.at += 1
        return event

    def run(self) -> None:
        while (event := self.peek()) is not None:
            handler = getattr(self, f"on_{event.name}", None)
            if handler is None:
                self.take()  # an event the story does not depend on (ResultIgnored, notifications, new ones)
                continue
            handler()

    # ------------------------------------------------------------ the story

    def on_WorkflowSubmitted(self) -> None:  # noqa: N802 - named for the event
        event = self.take()
        w = self.w
        w.deposited = int(event.args["deposit"])
        w.submitted_block, w.submitted_at = event.block, event.timestamp
        budget = Budget(MAX_NOTIFY_PER_DELIVERY, MAX_DISPATCH_PER_DELIVERY)
        for step in w.definition.steps:
            if w.status != RUNNING:
                break
            if step.needs_count == 0:
                self.became_ready(step.index, budget)
        if w.completed:  # only a root served from the result cache completes at submit: its dependents queued
            self.drain(budget)

    def on_WorkflowFunded(self) -> None:  # noqa: N802
        self.w.deposited += int(self.take().args["amount"])

    def on_WorkflowPaused(self) -> None:  # noqa: N802
        self.take()
        self.w.status = PAUSED

    def on_WorkflowResumed(self) -> None:  # noqa: N802
        self.take()
        self.w.status = RUNNING
        self.drain(Budget(MAX_NOTIFY_PER_DELIVERY, MAX_DISPATCH_PER_DELIVERY))

    def on_WorkflowCompleted(self) -> None:  # noqa: N802
        self.finish(COMPLETED_WF, self.take())

    def on_WorkflowFailed(self) -> None:  # noqa: N802
        self.finish(FAILED_WF, self.take())

    def on_WorkflowCancelled(self) -> None:  # noqa: N802
        self.finish(CANCELLED_WF, self.take())

    def on_Refunded(self) -> None:  # noqa: N802
        self.w.refunds += int(self.take().args["amount"])

    def on_JobRefunded(self) -> None:  # noqa: N802
        event = self.take()
        w = self.w
        amount = int(event.args["amount"])
        # An earlier run's job: that run's spending is over, so all of it counts as this run's deposit.
        back = min(amount, w.spent) if w.job_runs.get(int(event.args["jobId"])) == w.run else 0
        w.spent -= back
        w.deposited += amount - back
        w.job_refunds.append((event.block, event.log_index, int(event.args["jobId"]), amount))

    def on_WorkflowRedriven(self) -> None:  # noqa: N802
        """WorkflowRedriver.redrive: the next run, its StepRedriven events, then a drain like a resume's."""
        event = self.take()
        w = self.w
        w.run = int(event.args["run"])
        w.status = RUNNING
        w.deposited, w.spent = int(event.args["deposit"]), 0
        w.finished_at = None
        satisfied = [0] * len(w.steps)
        for step in w.steps:
            if step.word_status == COMPLETED:
                for child in w.definition.steps[step.index].children:
                    satisfied[child] += 1
        while (redriven := self.peek()) is not None and redriven.name == "StepRedriven":
            self.take()
            step = w.steps[int(redriven.args["stepIndex"])]
            step.attempts = step.job_id = step.dispatched_at = 0
            step.satisfied = satisfied[step.index]
            step.word_status = READY if redriven.args["ready"] else WAITING
            if redriven.args["ready"]:
                w.queue.append(step.index << 16)
        self.drain(Budget(MAX_NOTIFY_PER_DELIVERY, MAX_DISPATCH_PER_DELIVERY))

    def on_StepCompleted(self) -> None:  # noqa: N802
        event = self.take()
        w = self.w
        index = int(event.args["stepIndex"])
        step = w.steps[index]
        step.word_status = COMPLETED
        step.result_cid = str(event.args["cid"])
        step.completed_at = event.timestamp
        if step.history:
            last = step.history[-1]
            last.outcome, last.cid = "completed", step.result_cid
            last.ended_block, last.ended_at = event.block, event.timestamp
        w.completed += 1
        w.in_flight -= 1
        if w.definition.runner:  # the callback only records: dependents, dispatches and the end are `advance`'s
            w.queue.append(NOTIFY | (index << 16))
        elif w.completed == len(w.steps):
            w.status = COMPLETED_WF  # WorkflowCompleted follows
        elif w.status == RUNNING:
            budget = Budget(MAX_NOTIFY_PER_DELIVERY, MAX_DISPATCH_PER_DELIVERY)
            done, after = self.notify(index, 0, budget)
            if not done:
                w.queue.append(NOTIFY | (index << 16) | after)
            self.drain(budget)
        else:
            w.queue.append(NOTIFY | (index << 16))

    def on_StepExpired(self) -> None:  # noqa: N802
        self.take()  # StepFailed "expired" follows, and says the rest

    def on_StepFailed(self) -> None:  # noqa: N802
        event = self.take()
        index = int(event.args["stepIndex"])
        step = self.w.steps[index]
        attempt = int(event.args["attempt"])
        if step.word_status == DISPATCHED and attempt == step.attempts:
            self.attempt_failed(step, event)
        else:
            raise ReplayMismatch(f"workflow {self.w.workflow_id}: StepFailed for step {index} attempt {attempt}")

    def on_StepDispatched(self) -> None:  # noqa: N802
        self.advanced()

    def on_StepDeferred(self) -> None:  # noqa: N802
        self.advanced()

    def on_StepServedFromCache(self) -> None:  # noqa: N802
        self.advanced()

    # ------------------------------------------------------------ the registry's private functions

    def advanced(self) -> None:
        """A dispatch or deferral no earlier event of this transaction explains: an `advance`."""
        most = self.advance_argument(self.events[self.at].tx_hash)
        if most is None:
            most = MAX_STEPS * (1 + MAX_RETRIES)
        most = min(most, MAX_STEPS * (1 + MAX_RETRIES))
        before = self.at
        self.drain(Budget(most * MAX_NOTIFY_PER_DELIVERY, most))
        if self.at == before:
            name = self.events[self.at].name
            raise ReplayMismatch(f"workflow {self.w.workflow_id}: {name} that the queue does not explain")

    def became_ready(self, index: int, budget: Budget) -> None:
        """_becameReady: the next event says whether it was dispatched, failed to be, or deferred."""
        w = self.w
        if not w.live:
            return
        event = self.peek()
        if event is None or int(event.args.get("stepIndex", -1)) != index:
            raise ReplayMismatch(f"workflow {w.workflow_id}: step {index} became ready, but no event says so")
        step = w.steps[index]
        if event.name == "StepDispatched":
            self.take()
            budget.dispatches -= 1
            self.dispatched(step, event)
        elif event.name == "StepFailed" and int(event.args["attempt"]) == step.attempts + 1:
            self.take()
            budget.dispatches -= 1
            self.dispatch_failed(step, event)
        elif event.name == "StepServedFromCache":
            self.take()
            budget.dispatches -= 1
            self.served_from_cache(step, event, self.take())
        elif event.name == "StepDeferred":
            self.take()
            step.word_status = READY
            w.queue.append(index << 16)
        else:
            raise ReplayMismatch(f"workflow {w.workflow_id}: step {index} became ready, then {event.name}")

    def dispatched(self, step: StepState, event: LoggedEvent) -> None:
        w = self.w
        args = event.args
        step.word_status = DISPATCHED
        step.attempts = int(args["attempt"])
        step.dispatched_at = event.timestamp
        step.job_id = int(args["jobId"])
        paid = int(args["cost"])
        w.spent += paid
        w.in_flight += 1
        w.payments.append((event.block, event.log_index, step.job_id, paid))
        w.job_runs[step.job_id] = w.run
        step.history.append(
            Attempt(step.attempts, step.job_id, paid, str(args["params"]), event.block, event.timestamp, run=w.run)
        )

    def served_from_cache(self, step: StepState, served: LoggedEvent, completed: LoggedEvent) -> None:
        """_serveFromCache: completed with the cached result (StepCompleted, attempt 0, follows
        StepServedFromCache), nothing paid; its dependents are queued."""
        w = self.w
        if completed.name != "StepCompleted" or int(completed.args["stepIndex"]) != step.index:
            then = completed.name
            raise ReplayMismatch(f"workflow {w.workflow_id}: step {step.index} served from the cache, then {then}")
        step.word_status = COMPLETED
        step.job_id = int(served.args["jobId"])
        step.result_cid = str(completed.args["cid"])
        step.completed_at = completed.timestamp
        w.completed += 1
        if w.completed == len(w.steps):
            w.status = COMPLETED_WF  # WorkflowCompleted follows
        else:
            w.queue.append(NOTIFY | (step.index << 16))

    def dispatch_failed(self, step: StepState, event: LoggedEvent) -> None:
        """A dispatch Lilypad refused (or answered with a job id that cannot be routed): the step and the
        workflow fail (WorkflowFailed follows)."""
        w = self.w
        step.attempts = int(event.args["attempt"])
        step.word_status = FAILED
        step.dispatched_at = event.timestamp
        step.job_id = 0
        reason = str(event.args["reason"])
        if reason == "bad job id":  # Lilypad took the job and its payment, but its id cannot be routed
            w.spent += w.definition.steps[step.index].cost
        step.failures.append((step.attempts, reason, False))
        step.history.append(
            Attempt(step.attempts, 0, 0, w.params_of(step), event.block, event.timestamp, "dispatch failed", reason,
                    ended_block=event.block, ended_at=event.timestamp, run=w.run)
        )
        w.status = FAILED_WF

    def attempt_failed(self, step: StepState, event: LoggedEvent) -> None:
        w = self.w
        w.in_flight -= 1
        reason = str(event.args["reason"])
        will_retry = bool(event.args["willRetry"])
        step.failures.append((step.attempts, reason, will_retry))
        if step.history:
            last = step.history[-1]
            last.outcome = "expired" if reason == "expired" else "failed"
            last.reason, last.ended_block, last.ended_at = reason, event.block, event.timestamp
        if not will_retry:
            step.word_status = FAILED
            w.status = FAILED_WF  # WorkflowFailed follows
        else:
            self.became_ready(step.index, Budget(0, 1))

    def notify(self, index: int, start: int, budget: Budget) -> tuple[bool, int]:
        """_notifyDependents: count a result towards each child from number `start`, within the budget."""
        w = self.w
        children = w.definition.steps[index].children
        child_number = start
        while child_number < len(children) and w.live:
            if budget.notifies == 0:
                return False, child_number
            budget.notifies -= 1
            child = w.steps[children[child_number]]
            child.satisfied += 1
            if child.satisfied == w.definition.steps[child.index].needs_count:
                self.became_ready(child.index, budget)
            child_number += 1
        return True, child_number

    def drain(self, budget: Budget) -> None:
        """_drainQueue: work through the queue in order until it is empty, the budget is spent, or the
        registry stopped for lack of gas (the next event is not the dispatch the queue asks for)."""
        w = self.w
        while w.head < len(w.queue) and w.status == RUNNING:
            entry = w.queue[w.head]
            index = (entry >> 16) & 0x7FFF
            if entry & NOTIFY:
                if budget.notifies == 0:
                    break
                done, after = self.notify(index, entry & 0xFFFF, budget)
                if not done:
                    w.queue[w.head] = NOTIFY | (index << 16) | after
                    break
            elif w.steps[index].word_status == READY:
                if budget.dispatches == 0 or not self._dispatch_follows(index):
                    break
                self.became_ready(index, budget)
            w.head += 1
        if not w.live:
            w.head = len(w.queue)

    def _dispatch_follows(self, index: int) -> bool:
        event = self.peek()
        return (
            event is not None
            and event.name in ("StepDispatched", "StepFailed", "StepServedFromCache")
            and int(event.args.get("stepIndex", -1)) == index
        )

    def finish(self, status: int, event: LoggedEvent) -> None:
        w = self.w
        w.status = status
        w.in_flight = 0
        w.head = len(w.queue)
        w.finished_at = event.timestamp
        if status != COMPLETED_WF:
            for step in w.steps:
                if step.word_status == DISPATCHED and step.history and step.history[-1].outcome == "in flight":
                    step.history[-1].outcome = "cancelled"


def events_in_order(events: Iterator[LoggedEvent]) -> list[LoggedEvent]:
    return sorted(events, key=lambda e: (e.block, e.log_index))
