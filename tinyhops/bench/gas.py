"""The gas benchmark behind `ape run bench`: fresh contracts, workflows run to completion, gas per step.

Each workflow is submitted, then driven as the provider and a keeper would: jobs answered in turn with a
46-character CIDv0 and a 59-character CIDv1 (the two forms Lilypad reports), `advance` called whenever
dispatches were queued. Registry-side figures come from
call traces (tinyhops.bench.trace_gas); totals are whole transactions, Lilypad and intrinsic gas included. Where the
registry-side gas goes comes from opcode traces (tinyhops.bench.gas_breakdown; anvil with --steps-tracing).

On Lilypad v2 (`backend="v2"`: LilypadV2Registry on LocalLilypadV2) the workflows are laid out for v2 and the
same figures are taken. The token calls our contracts make (the escrow's `transferFrom` at submit, each
dispatch's allowance to the controller) are ours, counted as registry gas; the transactions the user and the
job-creator service send the token themselves (the user's `approve`, the service's `transferFrom` of each
deposit) are not the registry's and are counted nowhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from eth_utils import function_signature_to_4byte_selector

from tinyhops import spec
from tinyhops.bench import gas_breakdown, trace_gas
from tinyhops.chain.deploy import deploy_local_lilypad, deploy_local_lilypad_v2, deploy_registry, deploy_registry_v2
from tinyhops.chain.submitted_definition import SUBMIT_SELECTOR
from tinyhops.encoding.backends import V1, V2, for_backend
from tinyhops.encoding.submit_arguments import SUBMIT_ARGUMENT_TYPE, calldata_arguments
from tinyhops.provider.cids import cid_of, cid_v0_of
from tinyhops.spec.model import KeeperBudget, Workflow
from tinyhops.testing import shapes
from tinyhops.testing.local_driver import LocalDriver
from tinyhops.testing.local_v2_driver import LocalV2Driver

TRANSACTION_GAS_CAP = 2**24  # EIP-7825's per-transaction cap
MODULE_COST = 10**15  # a job's price: each module's on v1, the job creator's deposit on v2
TOKEN_SUPPLY = 10**30  # the v2 user's LocalLilypadToken balance: every benchmark's deposits
# The runner-mode pass's keeper budget: a gas deposit no benchmark runs dry, the default caps.
RUNNER_GAS_DEPOSIT = 10**18
SUBMIT_WITH_DEPOSIT_SELECTOR = function_signature_to_4byte_selector(f"submit({SUBMIT_ARGUMENT_TYPE},uint256)")


@dataclass
class WorkflowGas:
    name: str
    steps: int
    submit_gas: int = 0
    total_gas: int = 0
    gas_per_step: int = 0
    delivery_gas: list[int] = field(default_factory=list)
    delivery_tx_gas: list[int] = field(default_factory=list)
    advance_gas: list[int] = field(default_factory=list)
    max_delivery_gas: int = 0
    registry_gas_per_step: int = 0
    breakdown_per_step: dict[str, int] = field(default_factory=dict)
    cache_hit_gas_per_step: int = 0
    # The same workflow in runner mode (with a keeper budget): the largest registry-side gas of a Lilypad
    # callback, the registry gas per step, and each paid `advance`'s payment over its real cost (premium aside).
    runner_max_callback_gas: int = 0
    runner_registry_gas_per_step: int = 0
    reimbursement_ratio_min: float = 0.0
    reimbursement_ratio_max: float = 0.0


@dataclass
class RunnerGas:
    max_callback_gas: int
    registry_gas_per_step: int
    ratios: list[float]


def default_workflows(original_example: str | None) -> list[tuple[str, Workflow]]:
    named = []
    if original_example:  # the 2023 prototype's example workflow
        named.append(("original example", spec.load(original_example)))
    named += [
        ("chain of 10", spec.load(shapes.chain(10))),
        ("fan-out 1-8-1", spec.load(shapes.fan_out(8))),
        ("chain of 50", spec.load(shapes.chain(50))),
    ]
    return named


class GasBench:
    """Deploys a fresh stack on the connected local chain and measures workflows on it."""

    def __init__(self, project: Any, chain_provider: Any, accounts: list[Any], backend: str = V1):
        self.provider = chain_provider
        self.backend = backend
        deployer, self.user, runner, keeper = accounts[:4]
        self.driver: LocalDriver | LocalV2Driver
        if backend == V2:
            job_creator = deploy_local_lilypad_v2(project, deployer, runner, MODULE_COST)
            token = project.LocalLilypadToken.at(job_creator.getTokenAddress())
            self.stack = deploy_registry_v2(project, deployer, job_creator)
            token.mint(self.user, TOKEN_SUPPLY, sender=deployer)
            token.approve(self.stack.registry, 2**256 - 1, sender=self.user)  # the user's, not the registry's
            self.driver = LocalV2Driver(self.stack.registry, job_creator, token, runner, keeper)
            self.callback = trace_gas.SUBMIT_RESULTS
        else:
            costs = {"cowsay:v0.0.1": MODULE_COST, "sdxl:v0.9-lilypad1": MODULE_COST}
            lilypad = deploy_local_lilypad(project, deployer, costs, [runner])
            self.stack = deploy_registry(project, deployer, lilypad)
            self.driver = LocalDriver(self.stack.registry, lilypad, runner, keeper)
            self.callback = trace_gas.RECEIVE_JOB_RESULTS

    def _registry_side(self, receipt: Any) -> int:
        trace = trace_gas.call_trace(self.provider, receipt.txn_hash)
        return trace_gas.registry_side_of_transaction(trace, receipt.gas_used, self.stack.lilypad.address)

    def _steps(self, receipt: Any) -> list[dict[str, Any]]:
        options = {"disableStorage": True, "enableMemory": False, "enableReturnData": False}
        return self.provider.make_request("debug_traceTransaction", [receipt.txn_hash, options])["structLogs"]

    def _breakdown(self, receipt: Any, delivery: bool) -> Any:
        logs, lilypad = self._steps(receipt), [self.stack.lilypad.address]
        if delivery:
            return gas_breakdown.callback(logs, self.stack.registry.address, lilypad)
        return gas_breakdown.transaction(logs, lilypad)

    def _answer_oldest(self) -> Any:
        """Answer the oldest pending job, with a 46-character CIDv0 or a 59-character CIDv1 in turn (the two forms
        Lilypad reports); return the delivery's receipt."""
        job_id = min(self.driver.pending)
        content = f"job {job_id}".encode()
        return self.driver.answer(job_id, cid_v0_of(content) if job_id % 2 else cid_of(content))

    def _delivery_side(self, receipt: Any) -> int:
        """Registry-side gas of a delivery: its callback frame less its calls into Lilypad (call traces)."""
        trace = trace_gas.call_trace(self.provider, receipt.txn_hash)
        return trace_gas.registry_side_of_delivery(
            trace, self.stack.registry.address, self.stack.lilypad.address, self.callback
        )

    def measure(self, name: str, workflow: Workflow) -> WorkflowGas:
        result = WorkflowGas(name=name, steps=len(workflow.steps))
        workflow_id, receipt = self.driver.submit(workflow, self.user)
        result.submit_gas = receipt.gas_used
        total = receipt.gas_used
        registry_total = self._registry_side(receipt)
        breakdown = self._breakdown(receipt, delivery=False)
        while self.stack.registry.getWorkflow(workflow_id).status in (1, 2):
            if self.driver.pending:
                receipt = self._answer_oldest()
                side = self._delivery_side(receipt)
                result.delivery_gas.append(side)
                result.delivery_tx_gas.append(receipt.gas_used)
                breakdown.update(self._breakdown(receipt, delivery=True))
            else:
                receipt = self.driver.advance(workflow_id)
                side = self._registry_side(receipt)
                result.advance_gas.append(side)
                breakdown.update(self._breakdown(receipt, delivery=False))
            total += receipt.gas_used
            registry_total += side
        if self.stack.registry.getWorkflow(workflow_id).status != 3:
            raise RuntimeError(f"{name} did not complete")
        result.total_gas = total
        result.gas_per_step = total // result.steps
        result.max_delivery_gas = max(result.delivery_gas)
        result.registry_gas_per_step = registry_total // result.steps
        shares = gas_breakdown.shares(breakdown)
        # What the opcode trace does not show: a transaction's intrinsic and calldata gas, less refunds.
        shares["intrinsic, calldata, refunds"] = registry_total - sum(shares.values())
        result.breakdown_per_step = {name: value // result.steps for name, value in shares.items()}
        return result

    def measure_redrive(self, name: str, workflow: Workflow, results_before: int) -> dict[str, Any]:
        """Gas of a redrive: `workflow` is submitted, `results_before` of its jobs answered, then it is
        cancelled (a job in flight) and redriven with exactly what its steps back in play need; the redrive
        transaction's gas, whole and registry-side (the ready steps' dispatches included)."""
        registry = self.stack.registry
        self.driver.pending.clear()  # jobs of workflows measured before: none of this one's
        workflow_id, _ = self.driver.submit(workflow, self.user)
        for _ in range(results_before):
            job_id = min(self.driver.pending)
            self.driver.answer(job_id, cid_of(f"job {job_id}".encode()))
        registry.cancel(workflow_id, sender=self.user)
        states = registry.getSteps(workflow_id)
        back = [s for s in states if s.status != 3]  # StepStatus.Completed
        deposit = sum(s.cost * (1 + s.retries) for s in back)
        if self.backend == V2:
            receipt = registry.redrive(workflow_id, deposit, sender=self.user)
        else:
            receipt = registry.redrive(workflow_id, sender=self.user, value=deposit)
        self.driver.collect(receipt)
        dispatched = len(list(registry.StepDispatched.from_receipt(receipt)))
        return {
            "name": name, "steps": len(states), "steps_redriven": len(back), "dispatched": dispatched,
            "redrive_gas": receipt.gas_used, "redrive_registry_gas": self._registry_side(receipt),
        }

    def _drive(self, workflow_id: int) -> list[Any]:
        """Answer and advance until the workflow ends, as `measure` does; return every receipt."""
        receipts = []
        while self.stack.registry.getWorkflow(workflow_id).status in (1, 2):
            if self.driver.pending:
                receipts.append(self._answer_oldest())
            else:
                receipts.append(self.driver.advance(workflow_id))
        if self.stack.registry.getWorkflow(workflow_id).status != 3:
            raise RuntimeError(f"workflow {workflow_id} did not complete")
        return receipts

    def cache_hit_gas(self, workflow: Workflow) -> int:
        """Registry-side gas per step served from the result cache: `workflow` with every step cacheable is run
        once (filling the cache), then submitted again, and the `advance` calls of the second run, which only
        serve steps from the cache and queue their dependents, are measured less their intrinsic gas
        (21,000 and calldata), over the steps they served. Nothing is paid in that run (checked)."""
        cacheable = replace(workflow, steps=tuple(replace(s, cacheable=True) for s in workflow.steps))
        first, _ = self.driver.submit(cacheable, self.user)
        self._drive(first)
        second, _ = self.driver.submit(cacheable, self.user)
        receipts = self._drive(second)
        if self.driver.pending or self.stack.registry.getWorkflow(second).spent != 0:
            raise RuntimeError("a step submitted again was paid for instead of served from the cache")
        gas = served = 0
        for receipt in receipts:
            hits = len(list(self.stack.registry.StepServedFromCache.from_receipt(receipt)))
            if hits:
                data = bytes(receipt.transaction.data)
                intrinsic = 21_000 + sum(16 if byte else 4 for byte in data)
                gas += self._registry_side(receipt) - intrinsic
                served += hits
        return gas // served if served else 0

    def measure_runner(self, workflow: Workflow) -> RunnerGas:
        """Run `workflow` in runner mode: each callback only records; `advance` as the keeper dispatches and is
        paid from the gas deposit, each payment compared with what its transaction really cost."""
        budget = KeeperBudget(gas_deposit_wei=RUNNER_GAS_DEPOSIT)
        workflow_id, receipt = self.driver.submit(replace(workflow, runner=True, keeper=budget), self.user)
        registry = self.stack.registry
        registry_total = self._registry_side(receipt)
        callbacks: list[int] = []
        ratios: list[float] = []
        while registry.getWorkflow(workflow_id).status in (1, 2):
            if self.driver.pending:
                receipt = self._answer_oldest()
                side = self._delivery_side(receipt)
                callbacks.append(side)
            else:
                receipt = self.driver.advance(workflow_id)
                side = self._registry_side(receipt)
                price = receipt.gas_price
                for log in registry.KeeperReimbursed.from_receipt(receipt):
                    ratios.append(round(log.amount / (receipt.gas_used * price), 4))
            registry_total += side
        if registry.getWorkflow(workflow_id).status != 3:
            raise RuntimeError("the runner-mode workflow did not complete")
        return RunnerGas(max(callbacks), registry_total // len(workflow.steps), ratios)

    def fits_one_submit(self, workflow: Workflow) -> bool:
        """Whether eth_estimateGas for this submit stays within 2^24 (raw RPC: fast, and quiet on failure)."""
        workflow = for_backend(workflow, self.backend)
        deposit = workflow.required_deposit_wei
        request = {"from": self.user.address, "to": self.stack.registry.address, "gas": hex(TRANSACTION_GAS_CAP)}
        if self.backend == V2:  # the token escrow's submit(steps, deposit), the allowance given at set-up
            arguments = calldata_arguments(workflow)[32:]  # the steps' array, after its own head word
            head = (64).to_bytes(32, "big") + deposit.to_bytes(32, "big")
            request["data"] = "0x" + (SUBMIT_WITH_DEPOSIT_SELECTOR + head + arguments).hex()
        else:
            request["data"] = "0x" + (SUBMIT_SELECTOR + calldata_arguments(workflow)).hex()
            request["value"] = hex(deposit)
        try:
            estimate = int(self.provider.make_request("eth_estimateGas", [request]), 16)
        except Exception:  # noqa: BLE001 - a revert (out of gas under the cap) means it does not fit
            return False
        return estimate <= TRANSACTION_GAS_CAP

    def largest_fitting(self, make: Callable[[int], dict[str, Any]]) -> int:
        """Largest n for which workflow make(n) submits within the per-transaction cap: doubling, then
        binary search."""
        low, high = 8, 16
        while self.fits_one_submit(spec.load(make(high))):
            low, high = high, high * 2
        while low + 1 < high:
            middle = (low + high) // 2
            if self.fits_one_submit(spec.load(make(middle))):
                low = middle
            else:
                high = middle
        return low


def run(
    project: Any,
    chain_provider: Any,
    accounts: list[Any],
    workflows: list[tuple[str, Workflow]],
    with_maxima: bool = True,
    backend: str = V1,
) -> dict[str, Any]:
    bench = GasBench(project, chain_provider, accounts, backend)
    measured = []
    for name, w in workflows:
        figures = bench.measure(name, w)  # no step cacheable: the cache is neither read nor filled
        figures.cache_hit_gas_per_step = bench.cache_hit_gas(for_backend(w, backend))
        runner = bench.measure_runner(w)
        figures.runner_max_callback_gas = runner.max_callback_gas
        figures.runner_registry_gas_per_step = runner.registry_gas_per_step
        figures.reimbursement_ratio_min = min(runner.ratios)
        figures.reimbursement_ratio_max = max(runner.ratios)
        measured.append(asdict(figures))
    report: dict[str, Any] = {"workflows": measured}
    if backend != V1:  # the v1 report stays as it was
        report["backend"] = backend
    report["redrives"] = [
        bench.measure_redrive("chain of 10, cancelled after 5 results", spec.load(shapes.chain(10)), 5),
        bench.measure_redrive("fan-out 1-8-1, cancelled after its root", spec.load(shapes.fan_out(8)), 1),
    ]
    if with_maxima:
        report["max_chain_steps"] = bench.largest_fitting(lambda n: shapes.chain(n, cost="0.001"))
        report["max_fanout_steps"] = bench.largest_fitting(lambda n: shapes.fan(n - 1, cost="0.001"))
    return report


def table(report: dict[str, Any]) -> str:
    """A Markdown table of the figures, as the README carries it."""
    lines = [] if report.get("backend", V1) == V1 else [f"Lilypad {report['backend']}:", ""]
    lines += [
        "| workflow | steps | submit gas | total gas | gas/step | registry gas/step | max delivery (registry) "
        "| cache hit (registry)/step |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for w in report["workflows"]:
        lines.append(
            f"| {w['name']} | {w['steps']} | {w['submit_gas']:,} | {w['total_gas']:,} "
            f"| {w['gas_per_step']:,} | {w['registry_gas_per_step']:,} | {w['max_delivery_gas']:,} "
            f"| {w['cache_hit_gas_per_step']:,} |"
        )
    lines += [
        "",
        "Runner mode (callbacks only record; the keeper's `advance` dispatches, paid from the gas deposit):",
        "",
        "| workflow | max callback (registry) | registry gas/step | paid / cost, min | paid / cost, max |",
        "|---|---:|---:|---:|---:|",
    ]
    for w in report["workflows"]:
        lines.append(
            f"| {w['name']} | {w['runner_max_callback_gas']:,} | {w['runner_registry_gas_per_step']:,} "
            f"| {w['reimbursement_ratio_min']:.3f} | {w['reimbursement_ratio_max']:.3f} |"
        )
    names = list(report["workflows"][0]["breakdown_per_step"]) if report["workflows"] else []
    lines += ["", "Registry gas per step, by where it goes (opcode traces):", ""]
    lines.append("| workflow | " + " | ".join(names) + " |")
    lines.append("|---|" + "---:|" * len(names))
    for w in report["workflows"]:
        lines.append(f"| {w['name']} | " + " | ".join(f"{w['breakdown_per_step'][n]:,}" for n in names) + " |")
    if report.get("redrives"):
        lines += ["", "| redrive | steps | redriven | dispatched at once | redrive gas | registry gas |",
                  "|---|---:|---:|---:|---:|---:|"]
        for r in report["redrives"]:
            lines.append(
                f"| {r['name']} | {r['steps']} | {r['steps_redriven']} | {r['dispatched']} "
                f"| {r['redrive_gas']:,} | {r['redrive_registry_gas']:,} |"
            )
    if "max_chain_steps" in report:
        lines.append("")
        lines.append(
            f"Largest single submit under 2^24 gas: a chain of {report['max_chain_steps']} steps, "
            f"a fan-out of {report['max_fanout_steps']} steps."
        )
    return "\n".join(lines)
