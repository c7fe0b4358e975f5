"""Lilypad's answers as the registry records them: stale and bogus answers, and what a result unlocks."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import base58
import pytest
from contract_helpers import (
    ETHER,
    Status,
    StepStatus,
    assert_solvent,
    job_of,
    label,
    logs,
    registry_events,
    reverts,
    step,
    workflow,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinyhops.provider.cids import cid_of, result_form

NOT_A_CID = "result is not a CID"


def base32_cid(prefix: bytes, digest: bytes, *, multibase: str = "b") -> str:
    text = base64.b32encode(prefix + digest).decode().rstrip("=")
    return multibase + (text.lower() if multibase == "b" else text)


DIGEST = hashlib.sha256(b"tiny hops").digest()
RAW_CID = cid_of(b"tiny hops")  # CIDv1, raw, sha2-256, base32: the form Lilypad prints
# Every form the registry accepts (CidCodec.sol), each stored in one slot and given back exactly.
RESULTS = {
    "cidv1-raw": RAW_CID,
    "cidv1-dag-pb": base32_cid(b"\x01\x70\x12\x20", DIGEST),
    "cidv1-two-byte-codec": base32_cid(b"\x01\xa9\x02\x12\x20", DIGEST),
    "cidv0": base58.b58encode(b"\x12\x20" + DIGEST).decode(),
}
# Answers that are not CIDs: each fails its attempt, and none reaches a later step's params.
NOT_CIDS = {
    "cidv1-identity-codec": base32_cid(b"\x01\x00\x12\x20", DIGEST),
    "cidv1-base32-upper": base32_cid(b"\x01\x55\x12\x20", DIGEST, multibase="B"),
    "nonzero-padding-bits": RAW_CID[:-1] + chr(ord(RAW_CID[-1]) + 1),
    "not-a-cid": "hello, world",
    "empty": "",
    "long-text": "x" * 300,
    "unicode": "🐄 mooo",
    "params-splice": 'a cat", "seed": 666, "steps": 100000, "ignore": "',
    "resembles-failure-prefix": " JOB_FAILED:leading space",
}


@pytest.fixture
def two_steps(driver: Any, user: Any) -> int:
    """Step 1, then step 2 (one retry) with step 1's result in its params."""
    workflow_id, _ = driver.submit(workflow(step(1), step(2, needs=[1], params="use {{stepId:1}}", retries=1)), user)
    return workflow_id


def test_a_result_completes_its_step_and_dispatches_its_dependent(registry: Any, driver: Any, two_steps: int) -> None:
    receipt = driver.answer(job_of(registry, two_steps, 0), RAW_CID)

    (completed,) = logs(registry.StepCompleted, receipt)
    assert (completed.workflowId, completed.stepId, completed.stepIndex) == (two_steps, 1, 0)
    assert (completed.attempt, completed.cid) == (1, RAW_CID)
    (dispatched,) = logs(registry.StepDispatched, receipt)
    assert (dispatched.stepId, dispatched.attempt, dispatched.params) == (2, 1, f"use {RAW_CID}")
    first, second = registry.getSteps(two_steps)
    assert (first.status, first.resultCid) == (StepStatus.COMPLETED, RAW_CID)
    assert (second.status, second.params, second.attempts) == (StepStatus.DISPATCHED, f"use {RAW_CID}", 1)
    assert registry.resultOf(two_steps, 1) == RAW_CID
    summary = registry.getWorkflow(two_steps)
    assert (summary.completedCount, summary.inFlightCount) == (1, 1)


def test_the_last_result_completes_the_workflow_and_refunds_what_is_left(
    registry: Any, driver: Any, two_steps: int, user: Any
) -> None:
    driver.answer(job_of(registry, two_steps, 0))
    receipt = driver.answer(job_of(registry, two_steps, 1), label("final"))

    assert registry_events(registry, receipt) == ["StepCompleted", "WorkflowCompleted", "Refunded"]
    (refunded,) = logs(registry.Refunded, receipt)
    assert (refunded.owner, refunded.amount) == (user.address, ETHER)  # step 2's unused retry
    summary = registry.getWorkflow(two_steps)
    assert (summary.status, summary.balance, summary.spent, summary.completedCount) == (
        Status.COMPLETED,
        0,
        2 * ETHER,
        2,
    )
    assert registry.resultOf(two_steps, 2) == label("final")
    assert_solvent(registry)


def test_a_workflow_spending_its_whole_deposit_refunds_nothing(registry: Any, driver: Any, user: Any) -> None:
    workflow_id, _ = driver.submit(workflow(step(1)), user)
    receipt = driver.answer(job_of(registry, workflow_id, 0))
    assert registry_events(registry, receipt) == ["StepCompleted", "WorkflowCompleted"]
    assert registry.refundableOf(user) == 0


def test_a_job_answered_twice_is_refused_by_lilypad(
    registry: Any, lilypad: Any, driver: Any, two_steps: int, provider: Any
) -> None:
    job = job_of(registry, two_steps, 0)
    driver.answer(job, label("first"))
    for post in (lilypad.postResult, lilypad.postFailure):
        with reverts(lilypad.JobAlreadyAnswered, jobId=job):
            post(job, label("second"), sender=provider)
    assert registry.resultOf(two_steps, 1) == label("first")


@pytest.mark.parametrize("answer", [label("late"), "JOB_FAILED:late"], ids=["result", "failure"])
@pytest.mark.parametrize("situation", ["superseded-attempt", "cancelled-workflow", "paused-then-cancelled"])
def test_answers_for_an_attempt_no_longer_in_flight_are_ignored(
    registry: Any, driver: Any, two_steps: int, user: Any, as_lilypad: Any, situation: str, answer: str
) -> None:
    driver.answer(job_of(registry, two_steps, 0))
    old = job_of(registry, two_steps, 1)
    if situation == "superseded-attempt":
        driver.answer(old, failure="flaky")  # attempt 2 is now in flight
    else:
        if situation == "paused-then-cancelled":
            registry.pause(two_steps, sender=user)
        registry.cancel(two_steps, sender=user)
    before = (registry.getSteps(two_steps), registry.getWorkflow(two_steps))
    assert not registry.jobInFlight(old)

    receipt = registry.receiveJobResults(old, answer, sender=as_lilypad)
    assert registry_events(registry, receipt) == ["ResultIgnored"]
    (ignored,) = logs(registry.ResultIgnored, receipt)
    assert (ignored.jobId, ignored.workflowId, ignored.stepIndex, ignored.attempt, ignored.result) == (
        old,
        two_steps,
        1,
        1,
        answer.removeprefix("JOB_FAILED:"),  # a failure is recorded by its reason
    )
    assert (registry.getSteps(two_steps), registry.getWorkflow(two_steps)) == before


def test_a_branch_runs_as_soon_as_its_own_dependencies_are_done(registry: Any, driver: Any, user: Any) -> None:
    """DAG, not levels: a slow step holds back only the steps that need it."""
    flow = workflow(
        step(1, params="slow"),
        step(2, params="fast"),
        step(3, needs=[2], params="after fast {{stepId:2}}"),
        step(4, needs=[3], params="after that {{stepId:3}}"),
        step(5, needs=[1, 4], params="join {{stepId:1}} {{stepId:4}}"),
    )
    workflow_id, _ = driver.submit(flow, user)
    driver.answer(job_of(registry, workflow_id, 1), label("F"))
    driver.answer(job_of(registry, workflow_id, 2), label("G"))

    steps = registry.getSteps(workflow_id)
    assert [s.status for s in steps] == [
        StepStatus.DISPATCHED,  # still slow
        StepStatus.COMPLETED,
        StepStatus.COMPLETED,
        StepStatus.DISPATCHED,  # two levels past the slow step's level
        StepStatus.WAITING,
    ]
    assert steps[3].params == f"after that {label('G')}"
    receipt = driver.answer(job_of(registry, workflow_id, 3), label("H"))
    assert logs(registry.StepDispatched, receipt) == []
    receipt = driver.answer(job_of(registry, workflow_id, 0), label("S"))
    (joined,) = logs(registry.StepDispatched, receipt)
    assert joined.params == f"join {label('S')} {label('H')}"


def test_params_are_resolved_with_every_referenced_result_in_place(registry: Any, driver: Any, user: Any) -> None:
    flow = workflow(
        step(1, params="a"),
        step(2, params="b"),
        step(3, needs=[1, 2], params='{{stepId:2}}{{stepId:1}} {"x": "{{stepId:1}}"} \\{{stepId:1}}{{stepId:2}}'),
    )
    workflow_id, _ = driver.submit(flow, user)
    r1, r2 = label("R1"), label("R2")
    driver.answer(job_of(registry, workflow_id, 0), r1)
    receipt = driver.answer(job_of(registry, workflow_id, 1), r2)

    expected = f'{r2}{r1} {{"x": "{r1}"}} {{{{stepId:1}}}}{r2}'
    (dispatched,) = logs(registry.StepDispatched, receipt)
    assert dispatched.params == expected == registry.getStep(workflow_id, 2).params


def test_params_are_empty_until_a_step_is_dispatched(registry: Any, two_steps: int) -> None:
    assert registry.getStep(two_steps, 0).params == "hello"
    assert registry.getStep(two_steps, 1).params == ""


@pytest.mark.parametrize("result", list(RESULTS.values()), ids=list(RESULTS))
def test_results_come_back_exactly_as_delivered(registry: Any, driver: Any, two_steps: int, result: str) -> None:
    receipt = driver.answer(job_of(registry, two_steps, 0), result)
    assert logs(registry.StepCompleted, receipt)[0].cid == result
    assert registry.getStep(two_steps, 0).resultCid == result
    assert registry.resultOf(two_steps, 1) == result
    assert logs(registry.StepDispatched, receipt)[0].params == f"use {result}"


@pytest.mark.parametrize("answer", list(NOT_CIDS.values()), ids=list(NOT_CIDS))
def test_attack_results_are_not_checked_an_answer_that_is_not_a_cid_fails_the_attempt(
    registry: Any, driver: Any, user: Any, answer: str
) -> None:
    """Finding 2: whoever answered a job used to control part of every dependent's params (a result of
    `a cat", "seed": 666, …` rewrote the next step's JSON) and an empty result completed a step. An answer
    that is not a CID is now a failed attempt, retried like any failure, and is never spliced anywhere."""
    flow = workflow(step(1, retries=1), step(2, needs=[1], params='{"prompt": "{{stepId:1}}", "seed": 42}'))
    workflow_id, _ = driver.submit(flow, user)
    receipt = driver.answer(job_of(registry, workflow_id, 0), answer)
    assert registry_events(registry, receipt) == ["StepFailed", "StepDispatched"]  # failed, then retried
    (failed,) = logs(registry.StepFailed, receipt)
    assert (failed.stepIndex, failed.attempt, failed.reason, failed.willRetry) == (0, 1, NOT_A_CID, True)
    assert registry.resultOf(workflow_id, 1) == ""
    assert registry.getStep(workflow_id, 1).status == StepStatus.WAITING

    receipt = driver.answer(job_of(registry, workflow_id, 0), RAW_CID)  # the retry, answered with a CID
    (dispatched,) = logs(registry.StepDispatched, receipt)
    assert dispatched.params == f'{{"prompt": "{RAW_CID}", "seed": 42}}'


SPLICES = st.one_of(
    st.text(max_size=80),
    st.sampled_from(list(NOT_CIDS.values())),
    st.builds(lambda prefix, cut: RAW_CID[:cut] + prefix, st.text(max_size=4), st.integers(0, 59)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=SPLICES)
def test_no_dispatched_params_ever_hold_anything_but_template_text_and_cids(
    chain: Any, registry: Any, driver: Any, two_steps: int, answer: str
) -> None:
    """Whatever string a job is answered with, the dependent's params are its template with a real CID in
    place, or it is not dispatched at all."""
    snapshot = chain.snapshot()
    try:
        receipt = driver.answer(job_of(registry, two_steps, 0), answer)
        dispatched = [d.params for d in logs(registry.StepDispatched, receipt)]
        if result_form(answer):
            assert dispatched == [f"use {answer}"]
        else:
            assert dispatched == [] and registry.getWorkflow(two_steps).status == Status.FAILED
            assert [log.reason for log in logs(registry.StepFailed, receipt)] == [NOT_A_CID]
    finally:
        chain.restore(snapshot)


def test_a_failure_reason_is_kept_to_its_first_256_bytes(registry: Any, driver: Any, two_steps: int) -> None:
    reason = "é" * 200  # 400 bytes: cut at 256, between two characters
    receipt = driver.answer(job_of(registry, two_steps, 0), failure=reason)
    (failed,) = logs(registry.StepFailed, receipt)
    assert failed.reason == "é" * 128


def test_an_answer_with_the_failure_prefix_is_a_failure_with_the_rest_as_reason(
    registry: Any, lilypad: Any, driver: Any, two_steps: int, provider: Any
) -> None:
    receipt = lilypad.postResult(job_of(registry, two_steps, 0), "JOB_FAILED:", sender=provider)
    (failed,) = logs(registry.StepFailed, receipt)
    assert (failed.reason, failed.willRetry) == ("", False)
    assert registry.getWorkflow(two_steps).status == Status.FAILED
