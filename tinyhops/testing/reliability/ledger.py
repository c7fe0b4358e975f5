"""Money to the wei, from the chain's own records: every account's deposits against what its workflows spent,
what it was refunded (still refundable or withdrawn) and what is still in escrow; the registry's balance
against what it owes; Lilypad's payments against what the registry says it spent: every job's payment went
to a provider (a result that counted), back to the registry (a failure, an answer that no longer counted,
a reclaim) or is still held by LocalLilypad (a job nobody answered)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from tinyhops.chain.registry_client import WorkflowStatus
from tinyhops.testing.reliability.stack import Stack


@dataclass
class Account:
    deposited: int = 0  # deposits at submit plus top-ups (anyone's) of the account's workflows
    spent: int = 0  # paid to Lilypad for its workflows' jobs, less what Lilypad sent back
    escrow: int = 0  # still held for its live workflows
    refunded: int = 0  # credited when its workflows ended
    refundable: int = 0  # credited and not yet withdrawn
    withdrawn: int = 0

    @property
    def gap(self) -> int:
        """Deposited minus everything it went to: zero when every wei is accounted for."""
        return self.deposited - (self.spent + self.refundable + self.withdrawn + self.escrow)


@dataclass
class Reconciliation:
    accounts: dict[str, Account]
    registry_balance: int
    owed: int  # refundable to all plus live escrow
    spent: int  # by the registry's workflow summaries
    dispatched_cost: int  # by the registry's StepDispatched events
    returned: int  # by the registry's JobRefunded events
    paid_to_lilypad: int  # by LocalLilypad's JobCreated events for the registry's jobs
    provider_paid: int  # by LocalLilypad's ProviderPaid events for the registry's jobs
    returned_by_lilypad: int  # by LocalLilypad's PaymentReturned events
    lilypad_balance: int
    unpaid_jobs: int  # payments LocalLilypad still holds for jobs neither answered nor reclaimed
    problems: list[str] = field(default_factory=list)

    @property
    def unaccounted(self) -> int:
        """Total wei of every mismatch, in absolute value: the figure that must be 0."""
        return (
            sum(abs(a.gap) for a in self.accounts.values())
            + sum(abs(a.refunded - a.refundable - a.withdrawn) for a in self.accounts.values())
            + abs(self.registry_balance - self.owed)
            + abs(self.spent - (self.dispatched_cost - self.returned))
            + abs(self.dispatched_cost - self.paid_to_lilypad)
            + abs(self.returned - self.returned_by_lilypad)
            + abs(self.paid_to_lilypad - (self.provider_paid + self.returned + self.unpaid_jobs))
            + abs(self.lilypad_balance - self.unpaid_jobs)
        )


def reconcile(stack: Stack) -> Reconciliation:
    """Read every event and view of a deployment (its Lilypad must be the stack's own) and balance it."""
    registry, lilypad = stack.registry, stack.lilypad
    events = registry.history(stack.block)
    accounts: dict[str, Account] = defaultdict(Account)
    owner_of: dict[int, str] = {}
    dispatched = returned = 0
    for event in events:
        if event.name == "WorkflowSubmitted":
            owner_of[event.workflowId] = event.owner
            accounts[event.owner].deposited += event.deposit
        elif event.name == "WorkflowFunded":
            accounts[owner_of[event.workflowId]].deposited += event.amount
        elif event.name == "Refunded":
            accounts[event.owner].refunded += event.amount
        elif event.name == "Withdrawn":
            accounts[event.account].withdrawn += event.amount
        elif event.name == "StepDispatched":
            dispatched += event.cost
        elif event.name == "JobRefunded":
            returned += event.amount
    spent = 0
    for workflow_id, owner in owner_of.items():
        summary = registry.call("getWorkflow", workflow_id)
        accounts[owner].spent += summary.spent
        spent += summary.spent
        if not WorkflowStatus(summary.status).final:
            accounts[owner].escrow += summary.balance
    for address, account in accounts.items():
        account.refundable = registry.call("refundableOf", address)
    paid, unpaid = 0, 0
    settled = {e.jobId for e in lilypad.history(stack.block, "JobAnswered")}
    returned_events = lilypad.history(stack.block, "PaymentReturned")
    settled |= {e.jobId for e in returned_events}  # a reclaimed job is settled without an answer
    ours = set()
    for job in lilypad.history(stack.block, "JobCreated"):
        if job.client == stack.registry.address:
            paid += job.payment
            ours.add(job.jobId)
        if job.jobId not in settled:
            unpaid += job.payment
    provider_paid = sum(e.amount for e in lilypad.history(stack.block, "ProviderPaid") if e.jobId in ours)
    result = Reconciliation(
        accounts=dict(accounts),
        registry_balance=stack.chain.balance(registry.address),
        owed=sum(a.refundable + a.escrow for a in accounts.values()),
        spent=spent,
        dispatched_cost=dispatched,
        returned=returned,
        paid_to_lilypad=paid,
        provider_paid=provider_paid,
        returned_by_lilypad=sum(e.amount for e in returned_events),
        lilypad_balance=stack.chain.balance(lilypad.address),
        unpaid_jobs=unpaid,
    )
    for address, account in accounts.items():
        if account.gap or account.refunded != account.refundable + account.withdrawn:
            result.problems.append(f"{address}: {account}")
    if result.registry_balance != result.owed:
        result.problems.append(f"registry holds {result.registry_balance} wei, owes {result.owed}")
    if spent != dispatched - returned or dispatched != paid:
        result.problems.append(f"spent {spent}, dispatched {dispatched}, returned {returned}, paid to Lilypad {paid}")
    if returned != result.returned_by_lilypad or paid != provider_paid + returned + unpaid:
        result.problems.append(
            f"paid to Lilypad {paid}: to providers {provider_paid}, returned {returned} (Lilypad says"
            f" {result.returned_by_lilypad}), still held {unpaid}"
        )
    if result.lilypad_balance != unpaid:
        result.problems.append(f"Lilypad holds {result.lilypad_balance} wei, unanswered jobs paid {unpaid}")
    return result
