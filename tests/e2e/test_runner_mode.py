"""Runner mode through the real processes: the provider only posts results, `tiny-hops runner` (another account)
dispatches every later step and is paid from the workflow's gas deposit, to the wei of the registry's events."""

from __future__ import annotations

from dataclasses import replace

from cli_processes import ANVIL_KEYS, tiny_hops

from tinyhops import spec
from tinyhops.chain.registry_client import WorkflowStatus
from tinyhops.spec.model import KeeperBudget
from tinyhops.testing.shapes import chain as chain_shape

GAS_DEPOSIT = 10**17


def sender_of(e2e, log) -> str:
    """Who sent the transaction that emitted `log`."""
    return e2e.chain.provider.web3.eth.get_transaction(log.transaction_hash)["from"]


def test_a_runner_mode_workflow_completes_dispatched_by_the_runner_which_is_paid(e2e, accounts, tmp_path):
    runner_account = accounts[2]  # ANVIL_KEYS[2]: neither the provider (0) nor the user (1)
    flow = replace(spec.load(chain_shape(3)), runner=True, keeper=KeeperBudget(gas_deposit_wei=GAS_DEPOSIT))
    provider = e2e.start_provider()
    workflow_id = e2e.client.submit(flow, e2e.user)
    uri = e2e.chain.provider.uri
    key = ANVIL_KEYS[2]
    runner = tiny_hops("runner", str(workflow_id), "--poll", "0.2", "--rpc", uri, cwd=tmp_path, THOPS_PRIVATE_KEY=key)
    try:
        view = e2e.wait_final(workflow_id, provider)
    finally:
        runner.kill()
        output = runner.communicate()[0]
    assert view.status is WorkflowStatus.COMPLETED, provider.output_tail()
    assert "paid" in output, output

    registry = e2e.client.registry
    dispatched = e2e.events(registry, "StepDispatched")
    senders = {log.stepIndex: sender_of(e2e, log) for log in dispatched}
    assert senders[0] == e2e.user.address  # the root, by the submit
    assert {senders[i] for i in (1, 2)} == {runner_account.address}, senders  # never by the provider's callback
    completed = e2e.events(registry, "WorkflowCompleted")
    assert sender_of(e2e, completed[0]) == runner_account.address

    paid = [log for log in e2e.events(registry, "KeeperReimbursed") if log.keeper == runner_account.address]
    earned = sum(log.amount for log in paid)
    assert len(paid) >= 3 and earned > 0  # two dispatches and the end, each its own advance
    assert registry.gasBalanceOf(runner_account) == earned
    (refund,) = e2e.events(registry, "GasRefunded")
    assert refund.amount == GAS_DEPOSIT - earned == registry.keeperAccountOf(workflow_id).gasRefunded

    before = runner_account.balance
    withdrew = tiny_hops("withdraw", "--rpc", uri, cwd=tmp_path, THOPS_PRIVATE_KEY=key)
    out, err = withdrew.communicate(timeout=120)
    assert withdrew.returncode == 0, err
    assert "of gas balance" in out and runner_account.address in out, out
    assert registry.gasBalanceOf(runner_account) == 0
    (withdrawn,) = e2e.events(registry, "GasWithdrawn")
    assert withdrawn.amount == earned
    fees = e2e.chain.provider.web3.eth.get_transaction_receipt(withdrawn.transaction_hash)
    assert runner_account.balance == before + earned - fees["gasUsed"] * fees["effectiveGasPrice"]
    assert provider.stop() == 0
