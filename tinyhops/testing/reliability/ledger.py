"""Money to the unit, from the chain's own records, on either backend: every account's deposits against what its
workflows spent, what it was refunded (still refundable or withdrawn) and what is still in escrow; the registry's
balance against what it owes; Lilypad's side against what the registry says it spent.

- v1 (wei): every job's payment went to a provider (a result that counted), back to the registry (a failure, an
  answer that no longer counted, a reclaim) or is still held by LocalLilypad (a job nobody answered).
- v2 (token units): every dispatch raised the registry's allowance to the job creator's controller by the job's
  deposit; each deposit was taken by the controller (a Transfer from the registry to it) or is still allowed to
  it. The registry holds the live escrows, the refundable balances and that allowance; the job creator holds
  nothing.
"""

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
        """Deposited minus everything it went to: zero when every unit is accounted for."""
        return self.deposited - (self.spent + self.refundable + self.withdrawn + self.escrow)


@dataclass
class Reconciliation:
    backend: str
    accounts: dict[str, Account]
    registry_balance: int
    owed: int  # refundable to all plus live escrow (v2: plus the allowance still given to the controller)
    spent: int  # by the registry's workflow summaries
    dispatched_cost: int  # by the registry's StepDispatched events
    returned: int  # by the registry's JobRefunded events (v2: none, Lilypad v2 refunds nothing)
    # v1: LocalLilypad's side, from its events
    paid_to_lilypad: int = 0  # by LocalLilypad's JobCreated events for the registry's jobs
    provider_paid: int = 0  # by LocalLilypad's ProviderPaid events for the registry's jobs
    returned_by_lilypad: int = 0  # by LocalLilypad's PaymentReturned events
    lilypad_balance: int = 0  # v1: LocalLilypad's ether; v2: the job creator's token balance (must be 0)
    unpaid_jobs: int = 0  # payments LocalLilypad still holds for jobs neither answered nor reclaimed
    # v2: the controller's side, from the token's events and views
    taken_by_controller: int = 0  # Transfer events from the registry to the controller
    allowance: int = 0  # what the registry still allows the controller to take
    problems: list[str] = field(default_factory=list)

    @property
    def unaccounted(self) -> int:
        """Total units of every mismatch, in absolute value: the figure that must be 0."""
        common = (
            sum(abs(a.gap) for a in self.accounts.values())
            + sum(abs(a.refunded - a.refundable - a.withdrawn) for a in self.accounts.values())
            + abs(self.registry_balance - self.owed)
            + abs(self.spent - (self.dispatched_cost - self.returned))
        )
        if self.backend == "v2":
            return (
                common
                + self.returned
                + abs(self.dispatched_cost - (self.taken_by_controller + self.allowance))
                + self.lilypad_balance
            )
        return (
            common
            + abs(self.dispatched_cost - self.paid_to_lilypad)
            + abs(self.returned - self.returned_by_lilypad)
            + abs(self.paid_to_lilypad - (self.provider_paid + self.returned + self.unpaid_jobs))
            + abs(self.lilypad_balance - self.unpaid_jobs)
        )


def reconcile(stack: Stack) -> Reconciliation:
    """Read every event and view of a deployment (its Lilypad must be the stack's own) and balance it."""
    registry = stack.registry
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
    result = Reconciliation(
        backend=stack.backend,
        accounts=dict(accounts),
        registry_balance=stack.balance(registry.address),
        owed=sum(a.refundable + a.escrow for a in accounts.values()),
        spent=spent,
        dispatched_cost=dispatched,
        returned=returned,
    )
    for address, account in accounts.items():
        if account.gap or account.refunded != account.refundable + account.withdrawn:
            result.problems.append(f"{address}: {account}")
    if stack.backend == "v2":
        _controller_side(stack, result)
    else:
        _lilypad_side(stack, result)
    return result


def _lilypad_side(stack: Stack, result: Reconciliation) -> None:
    """v1: LocalLilypad's payments against the registry's dispatches and refunds."""
    lilypad = stack.lilypad
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
    result.paid_to_lilypad = paid
    result.provider_paid = sum(e.amount for e in lilypad.history(stack.block, "ProviderPaid") if e.jobId in ours)
    result.returned_by_lilypad = sum(e.amount for e in returned_events)
    result.lilypad_balance = stack.chain.balance(lilypad.address)
    result.unpaid_jobs = unpaid
    spent, dispatched, returned = result.spent, result.dispatched_cost, result.returned
    if result.registry_balance != result.owed:
        result.problems.append(f"registry holds {result.registry_balance} wei, owes {result.owed}")
    if spent != dispatched - returned or dispatched != paid:
        result.problems.append(f"spent {spent}, dispatched {dispatched}, returned {returned}, paid to Lilypad {paid}")
    if returned != result.returned_by_lilypad or paid != result.provider_paid + returned + unpaid:
        result.problems.append(
            f"paid to Lilypad {paid}: to providers {result.provider_paid}, returned {returned} (Lilypad says"
            f" {result.returned_by_lilypad}), still held {unpaid}"
        )
    if result.lilypad_balance != unpaid:
        result.problems.append(f"Lilypad holds {result.lilypad_balance} wei, unanswered jobs paid {unpaid}")


def _controller_side(stack: Stack, result: Reconciliation) -> None:
    """v2: the dispatches' deposits against what the controller took and is still allowed, the registry's token
    balance against what it owes (the allowance included), and a job creator that holds nothing."""
    assert stack.token is not None
    registry, controller = stack.registry.address, stack.controller
    result.taken_by_controller = sum(
        e.value
        for e in stack.token.history(stack.block, "Transfer")
        if getattr(e, "from") == registry and e.to == controller
    )
    result.allowance = int(stack.token.call("allowance", registry, controller))
    result.owed += result.allowance
    result.lilypad_balance = stack.balance(stack.lilypad.address)
    spent, dispatched = result.spent, result.dispatched_cost
    if result.registry_balance != result.owed:
        result.problems.append(
            f"registry holds {result.registry_balance} token units, owes {result.owed} (escrows and refundable"
            f" {result.owed - result.allowance}, allowed to the controller {result.allowance})"
        )
    if result.returned or spent != dispatched:
        result.problems.append(f"spent {spent}, dispatched {dispatched}, returned {result.returned} (v2 returns none)")
    if dispatched != result.taken_by_controller + result.allowance:
        result.problems.append(
            f"dispatched deposits {dispatched}: taken by the controller {result.taken_by_controller}, still"
            f" allowed {result.allowance}"
        )
    if result.lilypad_balance:
        result.problems.append(f"the job creator holds {result.lilypad_balance} token units")
