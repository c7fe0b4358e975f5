"""The real provider process on Lilypad v2's local job creator, as its controller: a DAG with references to the
end with UnixFS CIDs and every token unit accounted for; SIGKILL mid-workflow, neither a job skipped nor one
answered (or charged) twice; malformed inputs dropped as Lilypad's job creator drops them; a failing module left
unanswered (v2 has no failure callback) and expired by its timeout; the CLI speaking the token."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from cli_processes import ANVIL_KEYS, Finished, tiny_hops
from contract_helpers import definition, text

from tinyhops import spec
from tinyhops.chain.deploy import LOCAL_TEST_TOKENS, LOCAL_V2_DEPOSIT
from tinyhops.chain.registry_client import StepStatus, WorkflowStatus
from tinyhops.testing.provider_process import job_lines
from tinyhops.testing.shapes import chain as chain_shape

TOKEN = 10**18  # LocalLilypadToken has 18 decimals
SEP = "\x1e"  # how the registry's params separate inputs (INPUTS_SEPARATOR)


def cowsay(step_id: int, params: str, needs: tuple[int, ...] = (), **extra: Any) -> dict[str, Any]:
    return {
        "stepId": str(step_id),
        "needs": [str(n) for n in needs],
        "stepModule": {"cmd": "cowsay:v0.0.1", "params": params, "cost": "1"},
        **extra,
    }


def assert_ledger(e2e: Any, jobs: int) -> None:
    """Registry's tokens = live escrows + refundable + still allowed to the controller; the controller got exactly
    the deposits of the jobs it took (the registry's paid attempts), each once."""
    client, registry, token = e2e.client, e2e.client.registry, e2e.client.token
    controller = e2e.deployment.provider
    summaries = [registry.getWorkflow(i) for i in range(1, int(registry.workflowCount()) + 1)]
    escrows = sum(int(s.balance) for s in summaries)
    refundable = sum(int(registry.refundableOf(owner)) for owner in {s.owner for s in summaries})
    allowed = int(token.allowance(registry.address, controller))
    assert int(token.balanceOf(registry.address)) == escrows + refundable + allowed
    paid = sum(int(e.cost) for e in e2e.events(registry, "StepDispatched"))
    transfers = [e.event_arguments for e in e2e.events(token, "Transfer")]
    taken = [t for t in transfers if t["from"] == registry.address and t["to"] == controller]
    assert len(taken) == jobs and all(int(t["value"]) == LOCAL_V2_DEPOSIT for t in taken)
    assert int(token.balanceOf(controller)) == jobs * LOCAL_V2_DEPOSIT == paid - allowed
    assert int(token.balanceOf(client.lilypad.address)) == 0  # the job creator never holds tokens


def test_v2_dag_with_references_completes_with_unixfs_cids_and_every_token_unit_accounted_for(e2e_v2: Any) -> None:
    e2e = e2e_v2
    document = {
        "version": "v0.0.1",
        "steps": [
            [
                {"stepId": "1", "stepModule": {"cmd": "sdxl:v0.9-lilypad1", "params": "a small moon", "cost": "4"}},
                cowsay(2, "moo"),  # a params-only step: sent as the Message input
            ],
            cowsay(3, "the picture {{stepId:1}} is {{stepId:1}}/outputs/image-42.png", (1,)),
            cowsay(4, "quoting {{stepId:2}}/stdout and {{stepId:3}}", (2, 3)),
        ],
    }
    user_before = int(e2e.client.token.balanceOf(e2e.user.address))
    child = e2e.start_provider()
    workflow_id = e2e.client.submit(spec.load(document), e2e.user)
    view = e2e.wait_final(workflow_id, child)
    assert view.status is WorkflowStatus.COMPLETED, child.output_tail()
    assert all(s.result_cid.startswith("Qm") and e2e.store.is_directory(s.result_cid) for s in view.steps)
    picture, moo, quoted, joined = (s.result_cid for s in view.steps)
    assert e2e.store.get(f"{picture}/outputs/image-42.png").startswith(b"\x89PNG")
    assert "moo" in e2e.store.get(f"{moo}/stdout").decode() and "Message" not in e2e.store.get(f"{moo}/stdout").decode()
    assert f"{picture}/outputs/image-42.png" in view.steps[2].params
    assert "moo" in e2e.store.get(f"{joined}/stdout").decode()  # step 2's stdout, quoted by path
    assert quoted in view.steps[3].params
    # Every step ran with a timeout on v2 (the default where the file gave none), one attempt each.
    assert all(int(e2e.client.registry.getStep(workflow_id, i).timeout) > 0 for i in range(4))
    assert [s.attempts for s in view.steps] == [1, 1, 1, 1]
    assert_ledger(e2e, jobs=4)
    # The user paid the deposit (4 + 1 + 1 + 1 tokens: every step's cost); the unspent part is refundable.
    spent, refundable = view.spent_wei, int(e2e.client.registry.refundableOf(e2e.user.address))
    assert spent == 4 * LOCAL_V2_DEPOSIT and refundable == 7 * TOKEN - spent
    assert user_before - int(e2e.client.token.balanceOf(e2e.user.address)) == 7 * TOKEN
    assert int(e2e.client.token.allowance(e2e.user.address, e2e.client.registry.address)) == 0  # approved exactly
    e2e.client.withdraw(e2e.user)
    assert user_before - int(e2e.client.token.balanceOf(e2e.user.address)) == spent
    assert_ledger(e2e, jobs=4)
    assert child.stop() == 0


def test_killed_v2_provider_restarts_without_skipping_answering_or_charging_a_job_twice(e2e_v2: Any) -> None:
    e2e = e2e_v2
    steps = 12
    workflow_id = e2e.client.submit(spec.load(chain_shape(steps)), e2e.user)
    for _ in range(2):
        child = e2e.start_provider()
        child.wait_for(lambda lines: len(job_lines(lines)) >= 3, 60, "three job lines")
        child.kill()  # SIGKILL: anywhere between taking a deposit, answering and saving the cursor
    final = e2e.start_provider()
    view = e2e.wait_final(workflow_id, final)
    assert view.status is WorkflowStatus.COMPLETED, final.output_tail()
    assert final.stop() == 0
    added = [int(e.id) for e in e2e.events(e2e.client.lilypad, "JobAdded")]
    assert added == list(range(1, steps + 1))  # one attempt per step: nothing expired or failed
    completed = Counter(int(e.stepIndex) for e in e2e.events(e2e.client.registry, "StepCompleted"))
    assert completed == Counter(range(steps))
    assert not e2e.events(e2e.client.registry, "ResultIgnored")  # a second answer would be ignored, and seen here
    assert_ledger(e2e, jobs=steps)  # and no deposit taken twice
    everything = e2e.output()
    assert "GAVE UP" not in everything and "reverted" not in everything and "not taken" not in everything


def test_malformed_inputs_are_dropped_as_lilypads_job_creator_drops_them(e2e_v2: Any) -> None:
    e2e = e2e_v2
    # Another client's raw inputs (tiny-hops itself refuses to send these): straight to the registry.
    params = SEP.join(["Message=kept", "junk words", "Message=last one wins", "a=b=c", "Style=cow"])
    registry, token = e2e.client.registry, e2e.client.token
    step = definition(1, cost=LOCAL_V2_DEPOSIT, timeout=3600, module="cowsay:v0.0.4", params=text(params))
    token.approve(registry, LOCAL_V2_DEPOSIT, sender=e2e.user)
    child = e2e.start_provider()
    registry.submit([tuple(step)], LOCAL_V2_DEPOSIT, sender=e2e.user)
    workflow_id = int(registry.workflowCount())
    view = e2e.wait_final(workflow_id, child)
    assert view.status is WorkflowStatus.COMPLETED, child.output_tail()
    (added,) = e2e.events(e2e.client.lilypad, "JobAdded")
    assert list(added.inputs) == params.split(SEP)  # the registry sent every element; the provider drops
    said = e2e.store.get(f"{view.steps[0].result_cid}/stdout").decode()
    assert "last one wins" in said and "kept" not in said and "junk" not in said and "b=c" not in said
    child.wait_for(lambda lines: len(job_lines(lines)) >= 1, 10, "the job line")
    (line,) = child.job_lines()
    assert "dropped malformed input(s)" in line and "'junk words', 'a=b=c'" in line
    assert child.stop() == 0


def test_a_failing_module_is_left_unanswered_and_its_timeout_expires_it(e2e_v2: Any) -> None:
    e2e = e2e_v2
    silent = {"stepId": "1", "stepModule": {"cmd": "cowsay:v0.0.1", "inputs": {"Message": " "}, "cost": "1"}}
    document = {"version": "v0.0.1", "steps": [{**silent, "timeout": 2}]}  # cowsay: nothing to say
    child = e2e.start_provider()
    workflow_id = e2e.client.submit(spec.load(document), e2e.user)
    child.wait_for(lambda lines: any("FAILED" in line for line in job_lines(lines)), 60, "the failed job")
    (line,) = child.job_lines()
    assert "no failure callback: left unanswered" in line
    e2e.chain.mine(deltatime=3)  # past the timeout: the provider's keeper expires the attempt
    view = e2e.wait_final(workflow_id, child)
    assert view.status is WorkflowStatus.FAILED and view.steps[0].status is StepStatus.FAILED
    assert view.steps[0].failures[-1].expired
    assert_ledger(e2e, jobs=1)  # the deposit was taken: v2's job creator has no refund
    assert child.stop() == 0


def test_the_cli_speaks_the_token_on_v2(e2e_v2: Any, accounts: Any, tmp_path: Path) -> None:
    e2e = e2e_v2
    uri = e2e.chain.provider.uri
    file = tmp_path / "one.thops.json"
    file.write_text(json.dumps({"version": "v0.0.1", "steps": [cowsay(1, "hi"), cowsay(2, "ho")]}))
    poor = accounts[5]  # holds ether, no token
    assert int(e2e.client.token.balanceOf(poor.address)) == 0
    refused = Finished.of(tiny_hops("run", file, "--rpc", uri, cwd=tmp_path, THOPS_PRIVATE_KEY=_key_of(5)))
    assert refused.one_line_error() == (f"error: account {poor.address} holds 0 LP, less than the deposit of 2 LP")
    assert int(e2e.client.registry.workflowCount()) == 0
    child = e2e.start_provider()
    user = {"THOPS_PRIVATE_KEY": ANVIL_KEYS[1]}
    ran = Finished.of(tiny_hops("run", file, "--deposit", "2.5", "--wait", "--rpc", uri, cwd=tmp_path, **user), 120)
    assert ran.code == 0, ran
    paying = f"{file}: 2 steps; every attempt paid: 2 LP; depositing 2.5 LP (the unspent rest is refundable)"
    assert paying in ran.stdout
    assert f"Workflow 1: Completed, 2/2 steps, spent 2 LP; 0.5 LP refundable to {e2e.user.address}" in ran.stdout
    shown = Finished.of(tiny_hops("monitor", "1", "--json", "--rpc", uri, cwd=tmp_path))
    snapshot = json.loads(shown.stdout)
    assert snapshot["unit"] == {"symbol": "LP", "decimals": 18} and snapshot["spent_wei"] == 2 * TOKEN
    inspected = Finished.of(tiny_hops("inspect", "1", "--rpc", uri, cwd=tmp_path))
    assert "spent 2 LP, escrow 0 LP" in inspected.stdout and "ETH" not in inspected.stdout, inspected
    withdrawn = Finished.of(tiny_hops("withdraw", "--rpc", uri, cwd=tmp_path, **user))
    assert withdrawn.stdout_lines[-1] == f"withdrew 0.5 LP to {e2e.user.address}"
    assert int(e2e.client.token.balanceOf(e2e.user.address)) == LOCAL_TEST_TOKENS - 2 * TOKEN
    assert child.stop() == 0


def _key_of(index: int) -> str:
    """Anvil's default private key for test account `index`."""
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    mnemonic = "test test test test test test test test test test test junk"
    return Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{index}").key.hex()
