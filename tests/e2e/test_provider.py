"""The real provider process on anvil: the sample to completion, a failing module, SIGTERM."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from tinyhops import spec
from tinyhops.chain.registry_client import StepStatus, WorkflowStatus
from tinyhops.cli.cat import cat
from tinyhops.provider.cursor import cursor_path
from tinyhops.spec.sample import sample_document
from tinyhops.testing.provider_process import job_lines
from tinyhops.testing.shapes import chain as chain_shape

ETHER = 10**18
PNG = b"\x89PNG\r\n\x1a\n"


def lines_of(data: bytes) -> list[str]:
    return [line.rstrip() for line in data.decode().splitlines() if line.strip()]


def test_sample_completes_and_outputs_chain(e2e, tmp_path, monkeypatch):
    child = e2e.start_provider()
    workflow_id = e2e.client.submit(spec.load(sample_document()), e2e.user)
    view = e2e.wait_final(workflow_id, child)
    assert view.status is WorkflowStatus.COMPLETED, child.output_tail()
    # Every result is a directory as Lilypad makes it, named by the CID `ipfs add -r` gives it (CIDv0).
    assert all(step.result_cid.startswith("Qm") and e2e.store.is_directory(step.result_cid) for step in view.steps)
    out = {step.step_id: e2e.store.get(f"{step.result_cid}/stdout") for step in view.steps}
    out[2] = e2e.store.get(f"{view.steps[1].result_cid}/outputs/image-42.png")
    assert out[2].startswith(PNG)
    # Step 3's cow quotes step 1's, step 4's quotes step 3's: each line of the earlier output is in the later.
    for earlier, later in ((1, 3), (3, 4)):
        later_text = out[later].decode()
        assert all(line in later_text for line in lines_of(out[earlier])), (earlier, later)
    assert view.steps[3].params.count(view.steps[1].result_cid) == 1  # the picture is passed on by CID
    child.wait_for(lambda lines: len(job_lines(lines)) >= 4, 10, "four job lines")  # logged after mining
    assert len(child.job_lines()) == 4
    assert child.stop() == 0

    monkeypatch.chdir(tmp_path)
    shown = CliRunner().invoke(cat, [f"{view.steps[0].result_cid}/stdout"])
    assert shown.exit_code == 0 and shown.output.encode() == out[1]
    written = CliRunner().invoke(cat, [f"{view.steps[1].result_cid}/outputs/image-42.png", "-o", "picture.png"])
    assert written.exit_code == 0 and (tmp_path / "picture.png").read_bytes() == out[2]
    assert not list(tmp_path.glob("Qm*"))  # no <CID>.png left in the current folder unasked


def test_references_reach_into_result_directories(e2e):
    """`{{stepId:1}}/outputs/image-42.png` travels through the registry as the CID with its path after it, and
    the module resolves the path in step 1's result directory."""
    document = {
        "version": "v0.0.1",
        "steps": [
            {"stepId": "1", "stepModule": {"cmd": "sdxl:v0.9-lilypad1", "params": "a small moon", "cost": "4"}},
            {
                "stepId": "2",
                "needs": ["1"],
                "stepModule": {
                    "cmd": "cowsay:v0.0.1",
                    "params": "the picture {{stepId:1}} is {{stepId:1}}/outputs/image-42.png",
                    "cost": "1",
                },
            },
            {
                "stepId": "3",
                "needs": ["2"],
                "stepModule": {"cmd": "cowsay:v0.0.1", "params": "quoting {{stepId:2}}/stdout", "cost": "1"},
            },
        ],
    }
    child = e2e.start_provider()
    view = e2e.wait_final(e2e.client.submit(spec.load(document), e2e.user), child)
    assert view.status is WorkflowStatus.COMPLETED, child.output_tail()
    picture = view.steps[0].result_cid
    assert view.steps[1].params == f"the picture {picture} is {picture}/outputs/image-42.png"
    said = e2e.store.get(f"{view.steps[1].result_cid}/stdout")

    # a picture's directory (nothing on stdout) and the image (binary) stay references, path included
    def flat(text: str) -> str:  # the cow's bubble wraps long words: compare without layout characters
        return re.sub(r"[\s|/\\_=-]", "", text)

    assert flat(f"the picture {picture} is {picture}/outputs/image-42.png") in flat(said.decode())
    assert view.steps[2].params == f"quoting {view.steps[1].result_cid}/stdout"
    quoted = e2e.store.get(f"{view.steps[2].result_cid}/stdout").decode()
    assert all(line in quoted for line in lines_of(said)) and view.steps[1].result_cid not in quoted
    assert e2e.store.get(f"{picture}/outputs/image-42.png").startswith(PNG)
    assert child.stop() == 0


def test_failing_module_fails_workflow_and_refunds_to_the_wei(e2e):
    document = {
        "version": "v0.0.1",
        "steps": [
            {"stepId": "1", "stepModule": {"cmd": "cowsay:v0.0.1", "params": "moo", "cost": "1"}},
            {
                "stepId": "2",
                "needs": ["1"],
                "retries": 1,
                "stepModule": {"cmd": "nosuchmodule:v0.0.1", "params": "anything", "cost": "1"},
            },
            {
                "stepId": "3",
                "needs": ["2"],
                "stepModule": {"cmd": "cowsay:v0.0.1", "params": "z", "cost": "1"},
            },
        ],
    }
    child = e2e.start_provider()
    deposit = 5 * ETHER  # 4 ether covers every attempt; 1 more stays in escrow
    workflow_id = e2e.client.submit(spec.load(document), e2e.user, deposit)
    view = e2e.wait_final(workflow_id, child)
    assert view.status is WorkflowStatus.FAILED, child.output_tail()
    assert [s.status for s in view.steps] == [StepStatus.COMPLETED, StepStatus.FAILED, StepStatus.SKIPPED]
    assert view.steps[1].attempts == 2
    failures = e2e.events(e2e.client.registry, "StepFailed")
    assert [f.reason for f in failures] == ["unknown module 'nosuchmodule:v0.0.1'"] * 2
    # Step 1 once; step 2 twice, but LocalLilypad sent both failed jobs' payments back; step 3 never ran.
    spent = 1 * ETHER
    returned = e2e.events(e2e.client.registry, "JobRefunded")
    assert sorted(r.amount for r in returned) == [ETHER, ETHER]
    assert view.spent_wei == spent and view.balance_wei == 0
    refund = deposit - spent
    registry = e2e.client.registry
    assert registry.refundableOf(e2e.user) == refund
    before = e2e.user.balance
    receipt = registry.withdraw(sender=e2e.user)
    assert e2e.user.balance == before + refund - receipt.total_fees_paid
    assert registry.refundableOf(e2e.user) == 0
    assert child.stop() == 0


def test_sigterm_stops_cleanly_and_a_restart_resumes(e2e):
    child = e2e.start_provider()
    workflow_id = e2e.client.submit(spec.load(chain_shape(8)), e2e.user)
    child.wait_for(lambda lines: len(job_lines(lines)) >= 1, 60, "a job line")
    assert child.stop() == 0
    assert "provider stopped" in child.output
    cursor = json.loads(Path(cursor_path(e2e.chain.chain_id)).read_text())
    answered = sorted(log.jobId for log in e2e.events(e2e.client.lilypad, "JobAnswered"))
    assert cursor["last_job"] == len(child.job_lines()) >= 1
    assert answered == list(range(1, cursor["last_job"] + 1))

    again = e2e.start_provider()
    view = e2e.wait_final(workflow_id, again)
    assert view.status is WorkflowStatus.COMPLETED
    assert again.stop() == 0
