"""Transactions sent with the gas limit the node estimates, as on any network where Ape's gas limit is "auto"
(every real network, and `tiny-hops --rpc URL`). On the local test network Ape sends the block's maximum
instead, which hides what an estimate does: these tests ask for the estimate explicitly.

A submit, resume or advance that would dispatch must still dispatch when sent with its own estimate: a node
estimates the least gas with which the call succeeds, so a registry that quietly skips a dispatch when gas
is short makes the skipping path the estimate, and the workflow never starts.
"""

from __future__ import annotations

from typing import Any

from tinyhops import spec
from tinyhops.chain.accounts import PROVIDER_TEST_ACCOUNT
from tinyhops.encoding import encode
from tinyhops.provider.cids import cid_of
from tinyhops.spec.sample import sample_document
from tinyhops.testing.shapes import fan

ETHER = 10**18


def send_with_estimate(method: Any, *args: Any, **kwargs: Any) -> Any:
    gas = int(method.estimate_gas_cost(*args, **kwargs))
    return method(*args, gas=gas, **kwargs)


def test_submit_sent_with_its_estimate_dispatches_the_roots(e2e: Any) -> None:
    registry = e2e.client.registry
    steps = [tuple(d) for d in encode(spec.load(sample_document()))]
    receipt = send_with_estimate(registry.submit, steps, sender=e2e.user, value=11 * ETHER)
    deferred = [log.stepId for log in registry.StepDeferred.from_receipt(receipt)]
    dispatched = [log.stepId for log in registry.StepDispatched.from_receipt(receipt)]
    assert (dispatched, deferred) == ([1, 2], []), "the roots were queued, not dispatched"


def test_resume_sent_with_its_estimate_dispatches_what_became_ready(e2e: Any, accounts: Any) -> None:
    registry = e2e.client.registry
    workflow_id = e2e.client.submit(spec.load(sample_document()), e2e.user)  # the block's gas: roots dispatched
    e2e.client.pause(workflow_id, e2e.user)
    for job_id in (1, 2):  # steps 1 and 2 answered while paused: step 3 is owed a notification
        e2e.client.lilypad.postResult(
            job_id, cid_of(f"result-{job_id}".encode()), sender=accounts[PROVIDER_TEST_ACCOUNT]
        )
    receipt = send_with_estimate(registry.resume, workflow_id, sender=e2e.user)
    assert [log.stepId for log in registry.StepDispatched.from_receipt(receipt)] == [3]


def test_advance_sent_with_its_estimate_dispatches_the_queue(e2e: Any, accounts: Any) -> None:
    registry = e2e.client.registry
    workflow_id = e2e.client.submit(spec.load(fan(4)), e2e.user)
    e2e.client.lilypad.postResult(1, cid_of(b"root"), sender=accounts[PROVIDER_TEST_ACCOUNT])  # 2 dispatched, 2 queued
    assert int(registry.getWorkflow(workflow_id).queuedCount) == 2
    receipt = send_with_estimate(registry.advance, workflow_id, 8, sender=accounts[4])
    assert [log.stepId for log in registry.StepDispatched.from_receipt(receipt)] == [4, 5]
