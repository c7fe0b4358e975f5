"""The result cache through the real provider process: the sample (its modules deterministic in the catalog, so
cacheable by default) runs once with jobs; submitted again it completes without a job, every step served from
the cache with the first run's results, nothing paid; submitted with the cache bypassed it runs jobs again."""

from __future__ import annotations

from tinyhops import spec
from tinyhops.catalog import with_cache_defaults
from tinyhops.chain.registry_client import StepStatus, WorkflowStatus
from tinyhops.spec.sample import sample_document
from tinyhops.testing.provider_process import job_lines


def test_a_second_submit_of_a_cacheable_workflow_completes_without_a_job(e2e):
    child = e2e.start_provider()
    workflow = with_cache_defaults(spec.load(sample_document()))
    assert all(step.cacheable for step in workflow.steps)
    first = e2e.client.submit(workflow, e2e.user)
    ran = e2e.wait_final(first, child)
    assert ran.status is WorkflowStatus.COMPLETED, child.output_tail()
    child.wait_for(lambda lines: len(job_lines(lines)) >= 4, 10, "four job lines")
    jobs_before = len(e2e.events(e2e.client.lilypad, "JobCreated"))

    second = e2e.client.submit(workflow, e2e.user)
    registry = e2e.client.registry
    while registry.getWorkflow(second).status == WorkflowStatus.RUNNING:  # a keeper's `advance`: the rest queued
        assert registry.getWorkflow(second).queuedCount > 0
        registry.advance(second, 8, sender=e2e.user)
    served = e2e.client.view(second)

    assert served.status is WorkflowStatus.COMPLETED
    assert len(e2e.events(e2e.client.lilypad, "JobCreated")) == jobs_before  # no job for any step
    assert served.spent_wei == 0 and served.refunded_wei == workflow.required_deposit_wei
    assert all(step.cached and step.status is StepStatus.COMPLETED for step in served.steps)
    assert [s.result_cid for s in served.steps] == [s.result_cid for s in ran.steps]
    assert [s.job_id for s in served.steps] == [s.job_id for s in ran.steps]

    bypassed = e2e.client.submit(workflow.without_cache(), e2e.user)
    rerun = e2e.wait_final(bypassed, child)
    assert rerun.status is WorkflowStatus.COMPLETED, child.output_tail()
    assert not any(step.cached for step in rerun.steps) and rerun.spent_wei > 0
    assert len(e2e.events(e2e.client.lilypad, "JobCreated")) == jobs_before + 4
    assert child.stop() == 0
