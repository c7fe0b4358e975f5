"""The result cache: a cacheable step whose module and resolved params already have a result accepted from
Lilypad completes at its first dispatch with that result, unpaid; only results Lilypad posted for cacheable
steps fill it, once per key; a step that is not cacheable neither reads nor fills it."""

from __future__ import annotations

from typing import Any

from contract_helpers import (
    ETHER,
    SDXL,
    Status,
    StepStatus,
    assert_solvent,
    job_of,
    label,
    logs,
    registry_events,
    reverts,
    run_to_end,
    step,
    workflow,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinyhops.encoding.cache_key import cache_key


def cached_pair(params: str = "moo", *, cacheable: bool | None = True, module: str | None = None) -> Any:
    """Step 1, then step 2 with step 1's result in its params, both marked as `cacheable` says."""
    extra = {"module": module} if module else {}
    return workflow(
        step(1, params=params, cacheable=cacheable, **extra),
        step(2, needs=[1], params="say {{stepId:1}}", cacheable=cacheable),
    )


def test_a_second_submit_is_served_from_the_cache_without_a_job_or_a_payment(
    registry: Any, lilypad: Any, driver: Any, user: Any
) -> None:
    first, _ = driver.submit(cached_pair(), user)
    run_to_end(driver, first, {0: label("one"), 1: label("two")})
    jobs = [registry.getStep(first, i).jobId for i in range(2)]
    refundable = registry.refundableOf(user)

    second, receipt = driver.submit(cached_pair(), user)

    assert not logs(lilypad.JobCreated, receipt)
    assert registry_events(registry, receipt) == [
        "WorkflowSubmitted",
        "StepServedFromCache",
        "StepCompleted",
        "StepServedFromCache",
        "StepCompleted",
        "WorkflowCompleted",
        "Refunded",
    ]
    served = logs(registry.StepServedFromCache, receipt)
    assert [(e.stepId, e.jobId) for e in served] == [(1, jobs[0]), (2, jobs[1])]
    assert served[0].key == cache_key("cowsay:v0.0.1", "moo")
    assert served[1].key == cache_key("cowsay:v0.0.1", f"say {label('one')}")
    assert [e.attempt for e in logs(registry.StepCompleted, receipt)] == [0, 0]
    summary = registry.getWorkflow(second)
    assert (summary.status, summary.spent, summary.completedCount, summary.refunded) == (
        Status.COMPLETED,
        0,
        2,
        2 * ETHER,
    )
    assert registry.refundableOf(user) == refundable + 2 * ETHER  # the escrow kept every step's cost
    for index, cid in enumerate((label("one"), label("two"))):
        state = registry.getStep(second, index)
        expected = (StepStatus.COMPLETED, 0, jobs[index], cid)
        assert (state.status, state.attempts, state.jobId, state.resultCid) == expected
    assert registry.getStep(second, 1).params == f"say {label('one')}"
    assert registry.resultOf(second, 2) == label("two")
    assert registry.cachedResult(cache_key("cowsay:v0.0.1", "moo")) == (label("one"), jobs[0])
    assert_solvent(registry)


def test_only_the_steps_whose_inputs_changed_are_paid(registry: Any, driver: Any, user: Any) -> None:
    first, _ = driver.submit(cached_pair(), user)
    run_to_end(driver, first, {0: label("one")})
    three = workflow(
        step(1, params="moo", cacheable=True),
        step(2, needs=[1], params="other {{stepId:1}}", cacheable=True),
    )

    second, receipt = driver.submit(three, user)

    assert registry_events(registry, receipt)[:4] == [
        "WorkflowSubmitted",
        "StepServedFromCache",
        "StepCompleted",
        "StepDispatched",
    ]
    (dispatched,) = logs(registry.StepDispatched, receipt)
    assert (dispatched.stepId, dispatched.params, dispatched.cost) == (2, f"other {label('one')}", ETHER)
    run_to_end(driver, second)
    summary = registry.getWorkflow(second)
    assert (summary.spent, summary.refunded) == (ETHER, ETHER)
    assert_solvent(registry)


def test_a_result_not_posted_by_lilypad_cannot_fill_the_cache(
    registry: Any, lilypad: Any, driver: Any, user: Any, stranger: Any
) -> None:
    first, _ = driver.submit(workflow(step(1, params="moo", cacheable=True)), user)
    job = job_of(registry, first, 0)
    with reverts(registry.NotLilypad, caller=stranger):
        registry.receiveJobResults(job, label("forged"), sender=stranger)
    driver.answer(job, failure="no luck")  # a failure fills nothing either

    assert registry.cachedResult(cache_key("cowsay:v0.0.1", "moo")) == ("", 0)
    second, receipt = driver.submit(workflow(step(1, params="moo", cacheable=True)), user)
    assert registry_events(registry, receipt) == ["WorkflowSubmitted", "StepDispatched"]


def test_an_answer_that_is_not_a_cid_fills_nothing(registry: Any, driver: Any, user: Any) -> None:
    first, _ = driver.submit(workflow(step(1, params="moo", cacheable=True, retries=1)), user)
    receipt = driver.answer(job_of(registry, first, 0), "not a cid")
    assert not logs(registry.ResultCached, receipt)
    assert registry.cachedResult(cache_key("cowsay:v0.0.1", "moo")) == ("", 0)


def test_a_step_that_is_not_cacheable_neither_fills_nor_reads_the_cache(
    registry: Any, driver: Any, user: Any
) -> None:
    plain, _ = driver.submit(cached_pair(cacheable=False), user)
    receipts = run_to_end(driver, plain, {0: label("plain")})
    assert not any(logs(registry.ResultCached, r) for r in receipts)
    assert registry.cachedResult(cache_key("cowsay:v0.0.1", "moo")) == ("", 0)

    cached, _ = driver.submit(cached_pair(), user)  # a miss: it runs, and fills the cache
    run_to_end(driver, cached, {0: label("cached one"), 1: label("cached two")})
    assert registry.cachedResult(cache_key("cowsay:v0.0.1", "moo"))[0] == label("cached one")

    again, receipt = driver.submit(cached_pair(cacheable=False), user)
    assert registry_events(registry, receipt) == ["WorkflowSubmitted", "StepDispatched"]
    assert registry.getWorkflow(again).spent == ETHER


def test_another_module_with_the_same_params_misses(registry: Any, driver: Any, user: Any) -> None:
    first, _ = driver.submit(workflow(step(1, params="moo", cacheable=True)), user)
    run_to_end(driver, first)
    _, receipt = driver.submit(workflow(step(1, params="moo", cacheable=True, module=SDXL, cost="4")), user)
    assert registry_events(registry, receipt) == ["WorkflowSubmitted", "StepDispatched"]


def test_the_first_result_accepted_for_a_key_stays(registry: Any, driver: Any, user: Any) -> None:
    one, _ = driver.submit(workflow(step(1, params="moo", cacheable=True)), user)
    two, _ = driver.submit(workflow(step(1, params="moo", cacheable=True)), user)  # both missed: both run
    filled = driver.answer(job_of(registry, one, 0), label("first"))
    later = driver.answer(job_of(registry, two, 0), label("second"))

    (cached,) = logs(registry.ResultCached, filled)
    assert (cached.key, cached.workflowId, cached.stepIndex) == (cache_key("cowsay:v0.0.1", "moo"), one, 0)
    assert not logs(registry.ResultCached, later)
    assert registry.resultOf(two, 1) == label("second")  # its own result, as Lilypad posted it
    three, _ = driver.submit(workflow(step(1, params="moo", cacheable=True)), user)
    assert registry.resultOf(three, 1) == label("first")


def test_a_long_run_of_cached_steps_is_served_within_each_calls_budget(
    registry: Any, lilypad: Any, driver: Any, user: Any
) -> None:
    chain = [step(1, params="c", cacheable=True)] + [
        step(i, needs=[i - 1], params=f"{i} {{{{stepId:{i - 1}}}}}", cacheable=True) for i in range(2, 8)
    ]
    first, _ = driver.submit(workflow(*chain), user)
    run_to_end(driver, first)

    second, receipt = driver.submit(workflow(*chain), user)
    assert len(logs(registry.StepServedFromCache, receipt)) == 2  # MAX_DISPATCH_PER_DELIVERY
    assert registry.getWorkflow(second).queuedCount > 0
    advanced = driver.advance(second, 3)
    assert len(logs(registry.StepServedFromCache, advanced)) == 3
    assert advanced.return_value == 3
    advanced = driver.advance(second, 8)
    assert not logs(lilypad.JobCreated, advanced)
    summary = registry.getWorkflow(second)
    assert (summary.status, summary.spent, summary.completedCount) == (Status.COMPLETED, 0, 7)
    assert [registry.resultOf(second, i) for i in range(1, 8)] == [registry.resultOf(first, i) for i in range(1, 8)]
    assert_solvent(registry)


def test_a_retry_is_never_served_from_the_cache(registry: Any, driver: Any, user: Any) -> None:
    flaky, _ = driver.submit(workflow(step(1, params="moo", cacheable=True, retries=1)), user)
    filler, _ = driver.submit(workflow(step(1, params="moo", cacheable=True)), user)
    driver.answer(job_of(registry, filler, 0), label("cached"))
    receipt = driver.answer(job_of(registry, flaky, 0), failure="flaky")
    # The retry was looked up only at its first dispatch: it is dispatched and paid again.
    (dispatched,) = logs(registry.StepDispatched, receipt)
    assert (dispatched.attempt, dispatched.cost) == (2, ETHER)
    assert not logs(registry.StepServedFromCache, receipt)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    filled=st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=24),
    asked=st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=24),
    same=st.booleans(),
)
def test_a_step_is_served_exactly_when_its_resolved_params_match(
    registry: Any, driver: Any, user: Any, filled: str, asked: str, same: bool
) -> None:
    # The chain is shared by every example: each one's params are made its own by a fresh prefix.
    prefix = f"{registry.workflowCount()}:"
    asked = filled if same else asked
    first, _ = driver.submit(workflow(step(1, params=prefix + filled, cacheable=True)), user)
    run_to_end(driver, first)

    _, receipt = driver.submit(workflow(step(1, params=prefix + asked, cacheable=True)), user)

    served = logs(registry.StepServedFromCache, receipt)
    assert bool(served) == (asked == filled)
    assert [e.key for e in served] == ([cache_key("cowsay:v0.0.1", prefix + filled)] if served else [])
