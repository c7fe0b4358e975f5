"""SIGKILL the real provider mid-run, twice and restart it: the workflow completes, no job answered twice."""

from __future__ import annotations

import json
from collections import Counter

from tinyhops import spec
from tinyhops.chain.registry_client import WorkflowStatus
from tinyhops.provider.cursor import cursor_path
from tinyhops.testing.provider_process import job_lines
from tinyhops.testing.shapes import chain as chain_shape

STEPS = 16


def test_killed_provider_restarts_without_skipping_or_repeating_a_job(e2e):
    workflow_id = e2e.client.submit(spec.load(chain_shape(STEPS)), e2e.user)
    for _ in range(2):
        child = e2e.start_provider()
        child.wait_for(lambda lines: len(job_lines(lines)) >= 3, 60, "three job lines")
        child.kill()  # SIGKILL: no chance to finish the job or save the cursor
        json.loads(cursor_path(e2e.chain.chain_id).read_text())  # never torn
        assert WorkflowStatus(e2e.client.registry.getWorkflow(workflow_id).status) is WorkflowStatus.RUNNING

    final = e2e.start_provider()
    view = e2e.wait_final(workflow_id, final)
    assert view.status is WorkflowStatus.COMPLETED, final.output_tail()
    assert final.stop() == 0

    created = [log.jobId for log in e2e.events(e2e.client.lilypad, "JobCreated")]
    answered = Counter(log.jobId for log in e2e.events(e2e.client.lilypad, "JobAnswered"))
    assert sorted(created) == list(range(1, STEPS + 1))  # one attempt per step: no failure, no expiry
    assert answered == Counter(created)  # every job answered, none twice
    assert not e2e.events(e2e.client.registry, "ResultIgnored")
    everything = e2e.output()
    assert "GAVE UP" not in everything and "reverted" not in everything
