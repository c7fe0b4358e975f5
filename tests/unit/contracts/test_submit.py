"""`submit`: what a valid workflow stores and starts, and every on-chain validation error."""

from __future__ import annotations

from typing import Any

import pytest
from contract_helpers import (
    COWSAY,
    ETHER,
    Status,
    StepStatus,
    arguments,
    assert_solvent,
    chain_of,
    definition,
    fees_of,
    label,
    logs,
    ref,
    reverts,
    step,
    text,
    view_reverts,
    workflow,
)

from tinyhops.spec import limits

MAX_DISPATCH = limits.MAX_DISPATCH_PER_DELIVERY


def test_submit_stores_funds_and_starts_the_workflow(chain: Any, registry: Any, driver: Any, user: Any) -> None:
    flow = workflow(step(1), step(2, needs=[1], params="again"))
    workflow_id, receipt = driver.submit(flow, user, value=3 * ETHER)

    assert workflow_id == 1 == registry.workflowCount()
    (submitted,) = logs(registry.WorkflowSubmitted, receipt)
    assert (submitted.owner, submitted.stepCount, submitted.deposit) == (user.address, 2, 3 * ETHER)
    assert len(chain.provider.get_code(submitted.definition)) > 0
    (dispatched,) = logs(registry.StepDispatched, receipt)
    assert (dispatched.stepId, dispatched.stepIndex, dispatched.attempt, dispatched.cost) == (1, 0, 1, ETHER)

    summary = registry.getWorkflow(workflow_id)
    assert summary.owner == user.address
    assert summary.status == Status.RUNNING
    assert (summary.balance, summary.spent) == (2 * ETHER, ETHER)
    assert (summary.stepCount, summary.completedCount, summary.inFlightCount, summary.queuedCount) == (
        2,
        0,
        1,
        0,
    )
    assert summary.createdAt == chain.blocks[receipt.block_number].timestamp
    assert registry.getStep(workflow_id, 1).status == StepStatus.WAITING
    assert_solvent(registry)


def test_workflow_ids_are_issued_in_sequence(registry: Any, driver: Any, user: Any, stranger: Any) -> None:
    flow = workflow(step(1))
    assert [driver.submit(flow, sender)[0] for sender in (user, stranger, user)] == [1, 2, 3]
    assert registry.getWorkflow(2).owner == stranger.address


def test_submit_dispatches_a_bounded_number_of_roots_and_defers_the_rest(registry: Any, driver: Any, user: Any) -> None:
    roots = MAX_DISPATCH + 2
    workflow_id, receipt = driver.submit(workflow(*(step(i) for i in range(1, roots + 1))), user)

    assert [log.stepIndex for log in logs(registry.StepDispatched, receipt)] == list(range(MAX_DISPATCH))
    assert [log.stepIndex for log in logs(registry.StepDeferred, receipt)] == [MAX_DISPATCH, MAX_DISPATCH + 1]
    assert registry.getWorkflow(workflow_id).queuedCount == 2
    assert registry.getStep(workflow_id, MAX_DISPATCH).status == StepStatus.READY


def test_required_deposit_counts_every_attempt(registry: Any, driver: Any, user: Any) -> None:
    flow = workflow(step(1, retries=2), step(2, cost="4", module="sdxl:v0.9-lilypad1", needs=[1]))
    required = 1 * 3 * ETHER + 4 * ETHER
    assert registry.requiredDeposit(arguments(flow)) == required == flow.required_deposit_wei

    with reverts(registry.InsufficientDeposit, required=required, provided=required - 1):
        registry.submit(arguments(flow), sender=user, value=required - 1)
    workflow_id, _ = driver.submit(flow, user, value=required)
    assert registry.getWorkflow(workflow_id).balance == required - ETHER


def test_a_reverted_submit_stores_nothing(registry: Any, user: Any) -> None:
    registry.submit(arguments([definition()]), sender=user, value=ETHER)
    user_balance, registry_balance = user.balance, registry.balance

    with reverts(registry.ZeroCost, stepIndex=0) as revert:
        registry.submit(arguments([definition(cost=0)]), sender=user, value=5 * ETHER)

    assert registry.workflowCount() == 1
    assert (user.balance, registry.balance) == (user_balance - fees_of(revert), registry_balance)
    view_reverts(registry.UnknownWorkflow, registry.getWorkflow, 2, workflowId=2)


def test_submit_rejects_an_empty_workflow(registry: Any, user: Any) -> None:
    with reverts(registry.EmptyWorkflow):
        registry.submit([], sender=user, value=ETHER)


def test_submit_rejects_a_step_needing_itself_or_a_later_step(registry: Any, user: Any) -> None:
    with reverts(registry.DependencyNotEarlier, stepIndex=1, dependency=1):
        registry.submit(arguments([definition(1), definition(2, needs=[1])]), sender=user, value=2 * ETHER)
    with reverts(registry.DependencyNotEarlier, stepIndex=0, dependency=1):
        registry.submit(arguments([definition(1, needs=[1]), definition(2)]), sender=user, value=2 * ETHER)


@pytest.mark.parametrize("needs", [[1, 0], [0, 0]], ids=["descending", "duplicate"])
def test_submit_rejects_needs_not_strictly_ascending(registry: Any, user: Any, needs: list[int]) -> None:
    steps = [definition(1), definition(2), definition(3, needs=needs)]
    with reverts(registry.DependenciesNotAscending, stepIndex=2):
        registry.submit(arguments(steps), sender=user, value=3 * ETHER)


def test_submit_rejects_more_than_max_needs(registry: Any, user: Any) -> None:
    count = limits.MAX_NEEDS + 1
    with reverts(registry.TooManyDependencies, stepIndex=0, count=count):
        registry.submit(arguments([definition(needs=range(count))]), sender=user, value=ETHER)


def test_submit_rejects_a_zero_cost_step(registry: Any, user: Any) -> None:
    with reverts(registry.ZeroCost, stepIndex=1):
        registry.submit(arguments([definition(1), definition(2, cost=0)]), sender=user, value=ETHER)


def test_retries_are_capped(registry: Any, user: Any) -> None:
    most = limits.MAX_RETRIES
    with reverts(registry.TooManyRetries, stepIndex=0, retries=most + 1):
        registry.submit(arguments([definition(retries=most + 1)]), sender=user, value=(most + 2) * ETHER)
    registry.submit(arguments([definition(retries=most)]), sender=user, value=(most + 1) * ETHER)


def test_timeouts_are_capped(registry: Any, user: Any) -> None:
    longest = limits.MAX_TIMEOUT_SECONDS
    with reverts(registry.TimeoutTooLong, stepIndex=0, timeout=longest + 1):
        registry.submit(arguments([definition(timeout=longest + 1)]), sender=user, value=ETHER)
    registry.submit(arguments([definition(timeout=longest)]), sender=user, value=ETHER)


@pytest.mark.parametrize(
    "module",
    [
        "",
        "cowsay",
        ":v0.0.1",
        "cowsay:",
        "-cowsay:v0.0.1",
        "cowsay:+v1",
        "cow say:v0.0.1",
        "cowsay:v0.0.1:extra",
        "cowsay:v0/1",
        "cowsay+x:v1",
        "cowsay:v0.0.1\n",
        "ünïcode:v1",
        "a" * (limits.MAX_MODULE_BYTES - 2) + ":v1",
    ],
)
def test_submit_rejects_a_malformed_module_name(registry: Any, user: Any, module: str) -> None:
    with reverts(registry.InvalidModule, stepIndex=1):
        registry.submit(arguments([definition(1), definition(2, module=module)]), sender=user, value=2 * ETHER)


@pytest.mark.parametrize(
    "module", ["a:b", "org/model_x-1.2:v0.9+build.7", "a" * 64 + ":" + "v" * (limits.MAX_MODULE_BYTES - 65)]
)
def test_submit_accepts_well_formed_module_names(registry: Any, user: Any, module: str) -> None:
    registry.submit(arguments([definition(module=module)]), sender=user, value=ETHER)
    assert registry.getStep(1, 0).module == module


def test_params_templates_are_capped(registry: Any, user: Any) -> None:
    longest = limits.MAX_PARAMS_BYTES
    with reverts(registry.ParamsTooLong, stepIndex=0, length=longest + 1):
        registry.submit(arguments([definition(params=text("x" * (longest - 1)))]), sender=user, value=ETHER)
    receipt = registry.submit(arguments([definition(params=text("x" * (longest - 2)))]), sender=user, value=ETHER)
    (dispatched,) = logs(registry.StepDispatched, receipt)
    assert dispatched.params == "x" * (longest - 2)


@pytest.mark.parametrize(
    "params, offset",
    [
        (b"\x00", 0),
        (text("ok") + b"\x80", 4),
        (b"\x00\x00", 0),
        (text("ok") + b"\x00\x00" + text("ok"), 4),
        (b"\x00\x05abc", 0),
        (text("ok") + b"\x7f\xff" + b"x" * 100, 4),
    ],
    ids=[
        "truncated-header",
        "truncated-header-after-text",
        "zero-length-text",
        "zero-length-text-between",
        "text-past-the-end",
        "long-text-past-the-end",
    ],
)
def test_submit_rejects_malformed_params(registry: Any, user: Any, params: bytes, offset: int) -> None:
    steps = [definition(1), definition(2, needs=[0], params=params)]
    with reverts(registry.MalformedParams, stepIndex=1, offset=offset):
        registry.submit(arguments(steps), sender=user, value=2 * ETHER)


def test_params_hold_a_bounded_number_of_references(registry: Any, user: Any) -> None:
    most = limits.MAX_REFERENCES
    too_many = [definition(1), definition(2, needs=[0], params=ref(0) * (most + 1))]
    with reverts(registry.TooManyReferences, stepIndex=1):
        registry.submit(arguments(too_many), sender=user, value=2 * ETHER)
    enough = [definition(1), definition(2, needs=[0], params=ref(0) * most)]
    registry.submit(arguments(enough), sender=user, value=2 * ETHER)


@pytest.mark.parametrize(
    "needs, params, referenced",
    [([], ref(0), 0), ([0], ref(1), 1), ([0], ref(9), 9), ([0], text("a") + ref(0) + ref(0x7FFF), 0x7FFF)],
    ids=["no-needs", "self", "past-the-end", "after-a-good-reference"],
)
def test_params_may_only_reference_dependencies(
    registry: Any, user: Any, needs: list[int], params: bytes, referenced: int
) -> None:
    steps = [definition(1), definition(2, needs=needs, params=params)]
    with reverts(registry.ReferenceNotADependency, stepIndex=1, referenced=referenced):
        registry.submit(arguments(steps), sender=user, value=2 * ETHER)


def test_step_ids_are_unique_within_a_workflow(registry: Any, user: Any) -> None:
    steps = [definition(7), definition(8), definition(7, needs=[0])]
    with reverts(registry.DuplicateStepId, stepIndex=2, stepId=7):
        registry.submit(arguments(steps), sender=user, value=3 * ETHER)
    # ...but not across workflows.
    registry.submit(arguments([definition(7)]), sender=user, value=ETHER)
    registry.submit(arguments([definition(7)]), sender=user, value=ETHER)


def test_extreme_step_ids_and_costs_fit(registry: Any, user: Any) -> None:
    biggest_id, dearest = limits.MAX_STEP_ID, limits.MAX_COST_WEI
    steps = [definition(biggest_id, cost=ETHER), definition(0, cost=dearest - ETHER, needs=[0])]
    user.balance += 2**97
    with reverts(registry.DepositTooLarge, amount=2**96):
        registry.submit(arguments(steps), sender=user, value=2**96)
    receipt = registry.submit(arguments(steps), sender=user, value=dearest)
    assert [log.stepId for log in logs(registry.StepDispatched, receipt)] == [biggest_id]
    assert (registry.getStep(1, 1).stepId, registry.getStep(1, 1).cost) == (0, dearest - ETHER)
    assert registry.getWorkflow(1).balance == dearest - ETHER


def test_a_definition_spanning_two_data_contracts_reads_back_intact(registry: Any, driver: Any, user: Any) -> None:
    # Three steps of ~8 KB params overflow one data contract (24,544 bytes): the last record straddles it.
    bodies = [bytes([65 + i]) * 8100 for i in range(3)]
    # Steps 1 and 3 name one module: step 3's record, in the second data contract, reads it from the first.
    steps = [
        definition(1, params=text(bodies[0]), module="shared:v1"),
        definition(2, needs=[0], params=text(bodies[1])),
        definition(3, needs=[1], params=text(bodies[2][:4000]) + ref(1) + text(bodies[2][4000:]), module="shared:v1"),
    ]
    receipt = registry.submit(arguments(steps), sender=user, value=3 * ETHER, gas_limit=10_000_000)
    driver.collect(receipt)
    dispatched = [log.params for log in logs(registry.StepDispatched, receipt)]
    for result in (label("first"), label("second")):
        receipt = driver.answer(max(driver.pending), result)
        dispatched += [log.params for log in logs(registry.StepDispatched, receipt)]
    assert dispatched == [
        bodies[0].decode(),
        bodies[1].decode(),
        bodies[2][:4000].decode() + label("second") + bodies[2][4000:].decode(),
    ]
    assert registry.getStep(1, 2).params == dispatched[2]
    assert [registry.getStep(1, i).module for i in range(3)] == [step.module for step in steps]


def test_a_module_named_by_several_steps_is_stored_once_and_read_back_for_each(
    chain: Any, registry: Any, driver: Any, user: Any
) -> None:
    """Module interning: a name repeated across steps is kept in the definition once, whatever its place."""
    names = ["a:v1", "org/b:v2.0", "a:v1", "cowsay:v0.0.1", "org/b:v2.0", "a:v1"]
    steps = [definition(1, module=names[0], params=text("root"))] + [
        definition(i + 1, needs=[0], module=name, params=text(f"step {i + 1}")) for i, name in enumerate(names[1:], 1)
    ]
    distinct = [
        definition(s.stepId, needs=s.needs, module=f"m{i}:" + "v" * (len(s.module) - 3), params=s.params)
        for i, s in enumerate(steps)
    ]
    assert [len(a.module) for a in distinct] == [len(a.module) for a in steps]
    definitions: dict[int, str] = {}

    def submit(steps: list[Any]) -> int:
        receipt = driver.collect(registry.submit(arguments(steps), sender=user, value=6 * ETHER))
        (submitted,) = logs(registry.WorkflowSubmitted, receipt)
        definitions[submitted.workflowId] = submitted.definition
        return submitted.workflowId

    distinct_id = submit(distinct)
    driver.pending.clear()
    shared_id = submit(steps)
    assert [registry.getStep(shared_id, i).module for i in range(6)] == names

    def code_size(workflow_id: int) -> int:
        return len(chain.provider.web3.eth.get_code(definitions[workflow_id]))

    repeated = sum(len(name) for name in names) - len("".join(sorted(set(names))))
    assert code_size(distinct_id) - code_size(shared_id) == repeated

    # Each dependent is dispatched with its own module name once the root's result readies them.
    (root,) = driver.pending
    driver.answer(root, label("root result"))
    for _ in range(3):  # MAX_DISPATCH_PER_DELIVERY at a time
        if len(driver.pending) < 5:
            driver.advance(shared_id)
    sent = sorted((job.module, job.params) for job in driver.pending.values())
    assert sent == sorted((name, f"step {i}") for i, name in enumerate(names[1:], 2))


def test_two_submits_in_one_transaction_may_reuse_step_ids(project: Any, registry: Any, user: Any) -> None:
    """The duplicate-id check marks ids in transient storage: the marks must not leak into the next submit."""
    batch = user.deploy(project.BatchSubmitter)
    batch.submitEach(registry, arguments(chain_of(2)), 3, sender=user, value=6 * ETHER)
    assert registry.workflowCount() == 3
    assert {registry.getWorkflow(i).owner for i in (1, 2, 3)} == {batch.address}
    assert {registry.getStep(i, 1).module for i in (1, 2, 3)} == {COWSAY}
