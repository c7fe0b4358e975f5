"""Load: 50 workflows of mixed shapes submitted concurrently by five accounts, plus one 200-step fan-out, all run
to completion by one real provider process (`ape run provider`) on anvil. Afterwards every account's deposits
reconcile to the wei (spent on jobs + refundable + withdrawn = deposited, and its ether balance moved by exactly
its deposits, gas and withdrawals), and the registry holds exactly what it still owes.

On Lilypad v2 (parametrised "v2") the same, in the job creator's token: each account's token balance moved by
exactly its deposits and withdrawals and its ether by exactly its gas (approve and submit), every deposit the
registry allowed was taken by the controller. The default profile is smaller on v2 (WORKFLOWS, FAN_OUT_WIDTH):
the provider takes each job's deposit before it answers, two transactions a job where v1 has one.
"""

from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from eth_account import Account

from tinyhops import spec
from tinyhops.chain.registry_client import StepStatus, WorkflowStatus
from tinyhops.spec.sample import sample_document
from tinyhops.testing import shapes
from tinyhops.testing.reliability.ledger import reconcile
from tinyhops.testing.reliability.rawchain import fees, ok
from tinyhops.testing.reliability.record import profile, record, seed
from tinyhops.testing.reliability.standin import Jobs

OWNERS = (1, 2, 3, 4, 5)
WORKFLOWS = {"v1": profile(50, 200), "v2": profile(15, 200)}
FAN_OUT_WIDTH = {"v1": 198, "v2": profile(48, 198)}  # 1 + 198 + 1 = 200 steps
# The join cites this many branches. v1: the registry's most, 32. v2: fewer, because a v2 dispatch splits the
# resolved params into inputs inside DISPATCH_GAS, and 32 cited CIDs (~1.5 KB) exceed it ("dispatch reverted").
JOIN_REFERENCES = {"v1": 32, "v2": 16}
ETHER = 10**18


def mixed_workflows(rng: random.Random, count: int) -> list[spec.Workflow]:
    """Chains, fan-outs with a join, fans, random DAGs and the sample (sdxl, references, a retry reserve)."""
    makers = [
        lambda: shapes.chain(rng.randint(2, 8)),
        lambda: shapes.fan_out(rng.randint(2, 6)),
        lambda: shapes.fan(rng.randint(2, 6)),
        lambda: shapes.random_dag(rng.randint(3, 10), seed=rng.randrange(10**6)),
        sample_document,
    ]
    return [spec.load(makers[i % len(makers)]()) for i in range(count)]


def peak_live(events: list[Any]) -> int:
    """Most workflows live at once, from the order of their submit and end events."""
    live, peak = 0, 0
    for event in sorted(events, key=lambda e: (e.block, e.log_index)):
        if event.name == "WorkflowSubmitted":
            live += 1
            peak = max(peak, live)
        elif event.name in ("WorkflowCompleted", "WorkflowFailed", "WorkflowCancelled"):
            live -= 1
    return peak


@pytest.mark.parametrize("backend", ["v1", "v2"])
def test_load_fifty_mixed_workflows_and_a_200_step_fan_out_reconcile_to_the_wei(harness: Any, backend: str) -> None:
    rng = random.Random(seed())
    stack, chain = harness.stack, harness.chain
    keys = [harness.keys[i] for i in OWNERS]
    addresses = [Account.from_key(k).address for k in keys]
    batches: list[list[tuple[spec.Workflow, int]]] = [[] for _ in keys]
    fan_out = spec.load(shapes.fan_out(FAN_OUT_WIDTH[backend], join_references=JOIN_REFERENCES[backend]))
    batches[0].append((fan_out, fan_out.required_deposit_wei))
    for index, workflow in enumerate(mixed_workflows(rng, WORKFLOWS[backend])):
        extra = rng.choice([0, 0, rng.randint(1, ETHER)])  # some deposit more than every attempt needs
        batches[index % len(keys)].append((workflow, workflow.required_deposit_wei + extra))
    ether = {a: chain.balance(a) for a in addresses}
    balances = {a: stack.balance(a) for a in addresses}  # in the escrow's unit: wei on v1, token units on v2
    gas: Counter[str] = Counter()

    def submit_all(owner: int) -> list[int]:
        ids = []
        for workflow, deposit in batches[owner]:
            workflow_id, receipts = stack.submit_receipts(keys[owner], workflow, deposit)
            gas[addresses[owner]] += sum(fees(r) for r in receipts)
            ids.append(workflow_id)
        return ids

    child = harness.start_provider()
    child.wait_ready()
    with ThreadPoolExecutor(len(keys)) as pool:  # every account submits at the same time as the others
        ids = [i for batch in pool.map(submit_all, range(len(keys))) for i in batch]
    assert sorted(ids) == list(range(1, WORKFLOWS[backend] + 2))
    statuses = stack.wait_final(ids, alive=lambda: child.process.poll() is None)
    unfinished = {i: s.name for i, s in statuses.items() if s is not WorkflowStatus.COMPLETED}
    failures = [(e.workflowId, e.stepIndex, e.reason) for e in stack.registry.history(stack.block, "StepFailed")]
    assert not unfinished, f"not completed: {unfinished}, failed attempts {failures}\n{child.output_tail()}"

    # One job per step, each answered once, every step completed on its first attempt.
    steps = 0
    for workflow_id in ids:
        states = stack.registry.call("getSteps", workflow_id)
        assert all(StepStatus(s.status) is StepStatus.COMPLETED and s.attempts == 1 for s in states)
        steps += len(states)
    jobs = Jobs.read(stack)
    created = sorted(jobs.created)
    answered = Counter({job_id: len(answers) for job_id, answers in jobs.answered.items()})
    assert len(created) == steps and answered == Counter(created)
    events = stack.registry.history(stack.block)
    assert not [e for e in events if e.name in ("StepFailed", "ResultIgnored", "StepExpired")]
    assert peak_live(events) > len(keys), "the workflows did not run concurrently"

    # Three accounts withdraw their refunds, two leave them refundable; then every wei is accounted for.
    withdrawn: Counter[str] = Counter()
    for key, address in list(zip(keys, addresses, strict=True))[:3]:
        owed = stack.registry.call("refundableOf", address)
        if owed:
            receipt = stack.registry.send(key, "withdraw")
            assert ok(receipt)
            gas[address] += fees(receipt)
            withdrawn[address] += owed
    ledger = reconcile(stack)
    assert not ledger.problems, ledger.problems
    for address in addresses:
        account = ledger.accounts[address]
        assert account.withdrawn == withdrawn[address]
        moved = balances[address] - stack.balance(address)
        if backend == "v1":
            assert moved == account.deposited + gas[address] - withdrawn[address]
        else:
            assert moved == account.deposited - withdrawn[address]
            assert ether[address] - chain.balance(address) == gas[address]
    assert ledger.registry_balance == sum(a.refundable for a in ledger.accounts.values())
    assert ledger.allowance == 0, "every job's deposit was taken"
    assert child.stop() == 0
    output = child.output
    assert "GAVE UP" not in output and "poll failed" not in output and "Traceback" not in output

    record(
        "load" if backend == "v1" else "load_v2",
        workflows=len(ids),
        completed=sum(s is WorkflowStatus.COMPLETED for s in statuses.values()),
        mixed=WORKFLOWS[backend],
        fan_out_steps=len(fan_out.steps),
        accounts=len(keys),
        steps=steps,
        jobs=len(created),
        deposited_wei=sum(a.deposited for a in ledger.accounts.values()),
        refunded_wei=sum(a.refunded for a in ledger.accounts.values()),
        withdrawn_wei=sum(withdrawn.values()),
        wei_unaccounted=ledger.unaccounted,
    )
