"""The registry as a state machine: random workflows driven through every action, checked against a ghost.

Hypothesis submits random DAGs for two or three owners and then, in random order, answers jobs (results,
failures, duplicate answers, late answers for expired attempts or earlier runs), expires timed-out steps,
pauses, resumes, cancels, redrives failed and cancelled workflows, advances, funds and withdraws. The ghost
model is event-driven: every registry event is checked against the rules before it updates the ghost (a
step is dispatched only while its workflow runs and after all its dependencies have results; a step
completes at most once per run; Completed never changes, Failed and Cancelled only by a redrive), each
action's events are checked against what the interface promises for it, and the
invariants compare the ghost with the chain after every step, money to the wei (or token unit).

It runs on both Lilypad backends (tests/support/machine_backends.py): v1 (ether, LocalLilypad's provider posts
results and failures, late payments come back) and v2 (LocalLilypadToken escrow, LocalLilypadV2's controller
submits results only and takes each dispatched job's deposit when it likes; an attempt fails by expiring).

Runs:
- CI (default): 50 examples of 30 steps, about two minutes.
- Soak: `TINYHOPS_SOAK=1 .venv/bin/ape test tests/unit/contracts/test_state_machine.py -p no:cacheprovider`
  runs 500 examples of 100 steps (about an hour); TINYHOPS_SOAK_EXAMPLES and TINYHOPS_SOAK_STEPS
  override the two numbers.
- Replay: a failure prints the shrunk steps (`state = RegistryMachine()`, `state.submit(...)`, ...) and the
  seed hint (`--hypothesis-seed=N`); rerun with `ape test tests/unit/contracts/test_state_machine.py -p no:cacheprovider
  --hypothesis-seed=N` (add TINYHOPS_SOAK=1 if it came from the soak run). The example database in
  .hypothesis/ also replays the last failure on the next run.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, ClassVar

import base58
import cid as pycid
import multihash
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from machine_backends import BACKENDS, FREE_MODULE, PRICE, PRICED_MODULE, Backend

from tinyhops import spec
from tinyhops.chain.deploy import deploy_local_lilypad, deploy_registry
from tinyhops.chain.registry_client import StepStatus, WorkflowStatus
from tinyhops.encoding import StepDefinition, encode, params_segments
from tinyhops.encoding.cache_key import cache_key
from tinyhops.provider.cids import result_form
from tinyhops.spec import params
from tinyhops.spec.limits import MAX_DISPATCH_PER_DELIVERY, MAX_NOTIFY_PER_DELIVERY, MAX_STEP_ID

SOAK = os.environ.get("TINYHOPS_SOAK", "") not in ("", "0")
SETTINGS = settings(
    max_examples=int(os.environ.get("TINYHOPS_SOAK_EXAMPLES", 500)) if SOAK else 50,
    stateful_step_count=int(os.environ.get("TINYHOPS_SOAK_STEPS", 100)) if SOAK else 30,
    deadline=None,
    # A run of 100 steps is a large input by design; the soak profile needs these two.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.large_base_example,
        HealthCheck.data_too_large,
    ],
)

MAX_WORKFLOWS = 15 if SOAK else 5  # a 100-step soak run would otherwise end every workflow early
MAX_STEPS_PER_WORKFLOW = 8
# One workflow in five is a fan-out: a hub step that 16-19 others need, more than one delivery may notify
# (MAX_NOTIFY_PER_DELIVERY), so the rest waits in the work queue.
FAN_OUT_STEPS = (17, 20)
DISPATCH_REVERTED = "dispatch reverted"
NOT_A_CID = "result is not a CID"
EXPIRED = "expired"
MAX_REASON_BYTES = 256
ZERO_ADDRESS = "0x" + "00" * 20


LIVE = (WorkflowStatus.RUNNING, WorkflowStatus.PAUSED)


# ---------------------------------------------------------------------------------------------- strategies

STEP_IDS = st.one_of(st.integers(0, 20), st.integers(0, MAX_STEP_ID))
TEXT = st.text(min_size=1, max_size=12)
# A cacheable step's text comes from a small pool, so that workflows ask the cache for the same module and
# params again and again, and hit.
CACHED_TEXT = st.sampled_from(["moo", "baa"])
TIMEOUTS = st.sampled_from([0, 30, 3600])


@st.composite
def _cost(draw: st.DrawFn, module: str) -> int:
    if module == PRICED_MODULE:
        # Mostly enough to pay Lilypad; sometimes one wei short, so the dispatch reverts.
        return PRICE - 1 if draw(st.integers(0, 9)) == 0 else draw(st.integers(PRICE, 10**6))
    return draw(st.integers(1, 10**6))


@st.composite
def workflows(draw: st.DrawFn) -> spec.Workflow:
    """A random DAG in topological order: a step needs up to three earlier ones, params may refer to them."""
    fan_out = draw(st.integers(0, 4)) == 0
    count = draw(st.integers(*FAN_OUT_STEPS) if fan_out else st.integers(1, MAX_STEPS_PER_WORKFLOW))
    ids = draw(st.lists(STEP_IDS, min_size=count, max_size=count, unique=True))
    steps = []
    for index, step_id in enumerate(ids):
        needs = sorted(draw(st.sets(st.integers(0, index - 1), max_size=3)) if index else [])
        if fan_out and index:
            needs = sorted({0, *needs[:2]})
        cacheable = draw(st.integers(0, 2)) == 0
        segments: list[params.Segment] = []
        for _ in range(draw(st.integers(0, 1 if cacheable else 3))):
            if needs and draw(st.booleans()):
                segments.append(params.Ref(ids[draw(st.sampled_from(needs))]))
            else:
                segments.append(params.Text(draw(CACHED_TEXT if cacheable else TEXT)))
        module = draw(st.sampled_from([FREE_MODULE, FREE_MODULE, PRICED_MODULE]))
        steps.append(
            spec.Step(
                step_id=step_id,
                module=module,
                params=tuple(segments),
                cost_wei=draw(_cost(module)),
                needs=tuple(ids[n] for n in needs),
                timeout=draw(TIMEOUTS),
                retries=draw(st.integers(0, 2)),
                cacheable=cacheable,
            )
        )
    return spec.Workflow(steps=tuple(steps))


def _cid(codec: str, digest: bytes) -> str:
    encoded = multihash.Multihash(multihash.Func.sha2_256, digest).encode()
    return pycid.make_cid(1, codec, encoded).encode("base32").decode()


def _cid_v0(digest: bytes) -> str:
    return base58.b58encode(b"\x12\x20" + digest).decode()


def _cid_v1_two_byte_codec(codec: int, digest: bytes) -> str:
    raw = bytes([0x01, (codec & 0x7F) | 0x80, codec >> 7, 0x12, 0x20]) + digest
    return "b" + base64.b32encode(raw).decode().rstrip("=").lower()


DIGESTS = st.binary(min_size=32, max_size=32)
# Results: CIDs in every form the registry accepts, and hostile answers: strings that merely look like a CID,
# text that would splice into a later step's params, long text. Only a CID completes a step.
CIDS = st.one_of(
    st.builds(_cid, st.sampled_from(["raw", "dag-pb", "dag-cbor"]), DIGESTS),
    st.builds(_cid_v0, DIGESTS),
    st.builds(_cid_v1_two_byte_codec, st.integers(0x80, 0x3FFF), DIGESTS),
    st.sampled_from(
        [
            "",
            "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
            "BAFKREIBM6JG3UX5QUMHCN2B3FLC3TYU6DMLB4XA7U5BF44YEGNRJHC4YEQ",
            "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yer",
            "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4y",
            'a cat", "seed": 666, "steps": 100000, "ignore": "',
        ]
    ),
    st.text(max_size=70).filter(lambda text: not text.startswith("JOB_FAILED:")),
    st.text(min_size=250, max_size=400).filter(lambda text: not text.startswith("JOB_FAILED:")),
)
REASONS = st.one_of(st.text(max_size=24), st.text(min_size=250, max_size=400))
PICK = st.integers(0, 2**16)
DEPOSIT_EXTRA = st.one_of(st.just(0), st.integers(1, 10**6))
DEFAULT_MAX_PAID_PER_CALL = 5 * 10**16
# A workflow's WorkflowOptions (runner, maxGasPrice, premium, maxPaidPerCall, gasDeposit), or None for the plain
# submit: runner mode half the time; gas deposits from none to plenty; caps small enough to bind.
OPTIONS = st.one_of(
    st.none(),
    st.tuples(
        st.booleans(),
        st.sampled_from([0, 1, 10**9]),
        st.sampled_from([0, 7, 10**12]),
        st.sampled_from([0, 10**13, 10**15]),
        st.sampled_from([0, 1, 10**13, 10**16]),
    ),
)


def revert_reason(chain: Any, method: Any, args: tuple[Any, ...], sender: Any, value: int) -> str | None:
    """Name of the custom error `method(*args)` reverts with when `sender` calls it, None if it succeeds."""
    contract = method.contract
    call = {"from": sender.address, "to": contract.address, "data": method.encode_input(*args).hex()}
    if value:
        call["value"] = hex(value)
    response = chain.provider.web3.provider.make_request("eth_call", [call, "latest"])
    if "error" not in response:
        return None
    data = bytes.fromhex(str(response["error"].get("data", "0x"))[2:])
    for abi in contract.contract_type.errors:
        if keccak(text=abi.selector)[:4] == data[:4]:
            return abi.name
    raise AssertionError(f"reverted without a custom error of {contract.contract_type.name}: {response}")


class Views:
    """The registry's view functions over raw eth_call: Ape's call path costs ~25 ms a call, this ~2 ms, and
    the invariants make a dozen calls after every step."""

    def __init__(self, chain: Any, contract: Any) -> None:
        self._request = chain.provider.web3.provider.make_request
        self._address = contract.address
        self._methods = {abi.name: abi for abi in contract.contract_type.view_methods}

    def __getattr__(self, name: str) -> Any:
        abi = self.__dict__["_methods"][name]

        def call(*args: Any) -> Any:
            data = keccak(text=abi.selector)[:4] + abi_encode([i.canonical_type for i in abi.inputs], args)
            response = self._request("eth_call", [{"to": self._address, "data": "0x" + data.hex()}, "latest"])
            assert "result" in response, f"{name}{args} failed: {response}"
            (value,) = abi_decode([o.canonical_type for o in abi.outputs], bytes.fromhex(response["result"][2:]))
            return _named(abi.outputs[0], value)

        return call

    def balance(self) -> int:
        return int(self._request("eth_getBalance", [self._address, "latest"])["result"], 16)

    def cached_result(self, key: bytes) -> tuple[str, int]:
        """`cachedResult(key)`: the cached CID and the job it came from ("", 0 for none)."""
        data = keccak(text="cachedResult(bytes32)")[:4] + key
        response = self._request("eth_call", [{"to": self._address, "data": "0x" + data.hex()}, "latest"])
        cid, job_id = abi_decode(["string", "uint256"], bytes.fromhex(response["result"][2:]))
        return cid, job_id

    def timestamp(self) -> int:
        return int(self._request("eth_getBlockByNumber", ["latest", False])["result"]["timestamp"], 16)


def _named(abi: Any, value: Any) -> Any:
    """A decoded struct (or array of structs) with its fields by name, as the ABI names them."""
    if abi.components is None:
        return value
    if abi.type.endswith("[]"):
        return [SimpleNamespace(**{c.name: v for c, v in zip(abi.components, item, strict=True)}) for item in value]
    return SimpleNamespace(**{c.name: v for c, v in zip(abi.components, value, strict=True)})


def _pick(items: list[Any], index: int) -> Any:
    return items[index % len(items)]


def bounded(text: str) -> str:
    """What the registry keeps of a reported text in an event: its first 256 bytes, not splitting a character."""
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw) <= MAX_REASON_BYTES:
        return text
    end = MAX_REASON_BYTES
    while end > 0 and raw[end] & 0xC0 == 0x80:
        end -= 1
    return raw[:end].decode("utf-8", "surrogatepass")


def shown(workflow: WorkflowStatus, step: StepStatus) -> StepStatus:
    """What a step's status reads as on the chain: final too, once its workflow failed or was cancelled."""
    if workflow in (WorkflowStatus.FAILED, WorkflowStatus.CANCELLED):
        if step == StepStatus.DISPATCHED:
            return StepStatus.CANCELLED
        if step in (StepStatus.WAITING, StepStatus.READY):
            return StepStatus.SKIPPED
    return step


# ---------------------------------------------------------------------------------------------- ghost


@dataclass
class GhostStep:
    definition: StepDefinition
    segments: tuple[params.Segment, ...]  # references hold step positions, not ids
    status: StepStatus = StepStatus.WAITING
    attempts: int = 0
    job_id: int = 0
    result: str | None = None
    completions: int = 0
    retry_pending: bool = False  # failed with retries left, must be dispatched or deferred in the same tx
    served: bool = False  # completed from the result cache (StepServedFromCache, then StepCompleted)
    filled: bytes | None = None  # the cache key its result filled (ResultCached, then StepCompleted)


@dataclass
class GhostWorkflow:
    workflow_id: int
    owner: str
    steps: list[GhostStep]
    deposit: int
    status: WorkflowStatus = WorkflowStatus.RUNNING
    escrow: int = 0
    spent: int = 0
    refunded: int = 0
    run: int = 1  # escrow, spent and refunded are the current run's
    options: tuple[bool, int, int, int, int] | None = None  # WorkflowOptions, None for a plain submit
    gas_deposit: int = 0  # ether left to pay keepers
    gas_paid: int = 0
    gas_refunded: int = 0

    @property
    def runner(self) -> bool:
        return self.options is not None and self.options[0]

    def render(self, index: int) -> str:
        """The params step `index` must be dispatched with: its template with its dependencies' results."""
        out = []
        for segment in self.steps[index].segments:
            if isinstance(segment, params.Text):
                out.append(segment.value)
            else:
                result = self.steps[segment.step_id].result
                assert result is not None, f"step {index} refers to step {segment.step_id}, which has no result"
                out.append(result)
        return "".join(out)

    @property
    def edges(self) -> int:
        return sum(len(s.definition.needs) for s in self.steps)

    def dependencies_done(self, index: int) -> bool:
        return all(self.steps[d].status == StepStatus.COMPLETED for d in self.steps[index].definition.needs)


@dataclass(frozen=True)
class JobRoute:
    workflow_id: int
    index: int
    attempt: int
    run: int = 0


@dataclass
class Event:
    name: str
    args: dict[str, Any]

    def __getattr__(self, key: str) -> Any:
        try:
            return self.__dict__["args"][key]
        except KeyError:
            raise AttributeError(key) from None


@dataclass
class Stack:
    chain: Any
    backend: Backend
    keeper: Any
    stranger: Any
    users: list[Any]
    views: Views

    @property
    def registry(self) -> Any:
        return self.backend.registry


@dataclass
class Tally:
    """How often the interesting transitions happened over a whole run, to see the machine reaches them."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1


TALLY = Tally()


class RegistryMachine(RuleBasedStateMachine):
    stack: ClassVar[Stack]

    def __init__(self) -> None:
        super().__init__()
        self.snapshot = self.stack.chain.snapshot()
        self.workflows: dict[int, GhostWorkflow] = {}
        self.jobs: dict[int, JobRoute] = {}
        self.answered: set[int] = set()  # answered or reclaimed: LocalLilypad holds their payment no more
        self.deposits_taken: set[int] = set()  # v2: jobs whose deposit the controller took from the registry
        self.refunded_jobs: set[int] = set()
        self.refundable: dict[str, int] = {a.address: 0 for a in [*self.stack.users, self.stack.stranger]}
        self.dirty: set[int] = set()
        self.submitting: tuple[list[StepDefinition], Any, int, Any] | None = None
        self.last_receipt: Any = None
        self.cache: dict[bytes, tuple[str, int]] = {}  # the result cache: key -> (CID, job id)
        self.gas_balances: dict[str, int] = {
            a.address: 0 for a in [*self.stack.users, self.stack.stranger, self.stack.keeper]
        }
        self.callback = False  # whether the transaction being checked is a Lilypad callback
        self.sender = ""

    def teardown(self) -> None:
        self.stack.chain.restore(self.snapshot)

    # ------------------------------------------------------------------------------------ helpers

    @property
    def registry(self) -> Any:
        return self.stack.registry

    @property
    def views(self) -> Views:
        return self.stack.views

    @property
    def backend(self) -> Backend:
        return self.stack.backend

    def send(self, method: Any, *args: Any, sender: Any, value: int = 0) -> list[Event]:
        """Send a transaction, check every registry event it emitted in order, update the ghost."""
        receipt = method(*args, sender=sender, value=value)
        self.last_receipt = receipt
        self.sender = sender.address
        self.callback = method.abis[0].name in ("postResult", "postFailure", "submitResults")
        events = []
        for log in receipt.decode_logs():
            if log.contract_address != self.registry.address:
                continue
            event = Event(log.event_name, dict(log.event_arguments))
            handler = getattr(self, f"_on_{event.name}", None)
            assert handler is not None, f"unexpected registry event {event}"
            handler(event)
            events.append(event)
            TALLY.add(event.name)
            if "workflowId" in event.args:
                self.dirty.add(event.workflowId)
        for w in self.workflows.values():
            for index, step in enumerate(w.steps):
                assert not step.retry_pending, (
                    f"workflow {w.workflow_id} step {index} failed with retries left but was neither"
                    " dispatched nor deferred"
                )
            if w.status not in LIVE:
                assert w.escrow == 0, f"workflow {w.workflow_id} ended without refunding its escrow"
        return events

    def expect_revert(self, error: str, method: Any, *args: Any, sender: Any, value: int = 0) -> None:
        """The call reverts with the custom error `error` (checked by eth_call: Ape's own revert handling
        fetches and renders a call trace, 0.2-0.6 s a time)."""
        reason = revert_reason(self.stack.chain, method, args, sender, value)
        assert reason == error, f"{method.abis[0].name}{args} reverted with {reason}, not {error}"
        TALLY.add(f"revert {error}")

    def cost_of(self, job_id: int) -> int:
        job = self.jobs[job_id]
        return self.workflows[job.workflow_id].steps[job.index].definition.cost

    def refunds_in(self, events: list[Event]) -> list[tuple[int, int]]:
        return [(e.jobId, e.amount) for e in self.named(events, "JobRefunded")]

    def current_jobs(self) -> list[int]:
        return sorted(j for j in self.jobs if j not in self.answered and self.is_current(j))

    def stale_jobs(self) -> list[int]:
        return sorted(j for j in self.jobs if j not in self.answered and not self.is_current(j))

    def is_current(self, job_id: int) -> bool:
        job = self.jobs[job_id]
        w = self.workflows[job.workflow_id]
        step = w.steps[job.index]
        # The job id, not the attempt number: a redriven step's attempts start again from 1.
        return w.status in LIVE and step.status == StepStatus.DISPATCHED and step.job_id == job_id

    def live_workflows(self) -> list[int]:
        return sorted(i for i, w in self.workflows.items() if w.status in LIVE)

    def account(self, address: str) -> Any:
        return next(a for a in [*self.stack.users, self.stack.stranger] if a.address == address)

    @staticmethod
    def named(events: list[Event], name: str) -> list[Event]:
        return [e for e in events if e.name == name]

    # ------------------------------------------------------------------------------------ event rules

    def _step(self, event: Event) -> tuple[GhostWorkflow, GhostStep]:
        w = self.workflows[event.workflowId]
        step = w.steps[event.stepIndex]
        if "stepId" in event.args:
            assert event.stepId == step.definition.stepId, f"{event} names the wrong step id"
        return w, step

    def _on_WorkflowSubmitted(self, event: Event) -> None:
        assert self.submitting is not None, f"{event} outside submit"
        definitions, owner, deposit, options = self.submitting
        assert event.workflowId == len(self.workflows) + 1, "workflow ids are issued sequentially from 1"
        assert (event.owner, event.stepCount, event.deposit) == (owner.address, len(definitions), deposit)
        self.workflows[event.workflowId] = GhostWorkflow(
            workflow_id=event.workflowId,
            owner=owner.address,
            steps=[
                GhostStep(definition=d, segments=params_segments.decode(d.params, lambda position: position))
                for d in definitions
            ],
            deposit=deposit,
            escrow=deposit,
            options=options,
        )

    def _on_StepDispatched(self, event: Event) -> None:
        w, step = self._step(event)
        where = f"workflow {w.workflow_id} step {event.stepIndex}"
        assert w.status == WorkflowStatus.RUNNING, f"{where} dispatched while {w.status.name}"
        assert not (w.runner and self.callback), f"{where} dispatched by a Lilypad callback in runner mode"
        assert step.status in (StepStatus.WAITING, StepStatus.READY), f"{where} dispatched while {step.status.name}"
        assert w.dependencies_done(event.stepIndex), f"{where} dispatched before all its dependencies had results"
        assert event.attempt == step.attempts + 1, f"{where} dispatched as attempt {event.attempt}"
        assert event.attempt <= 1 + step.definition.retries, f"{where} dispatched beyond its retries"
        paid = self.backend.paid(step.definition)
        assert event.cost == paid, f"{where} paid {event.cost}, Lilypad takes {paid} for cost {step.definition.cost}"
        assert event.params == w.render(event.stepIndex), f"{where} dispatched with wrongly resolved params"
        assert w.escrow >= step.definition.cost, f"{where} dispatched with only {w.escrow} in escrow"
        assert event.jobId not in self.jobs, f"job id {event.jobId} issued twice"
        w.escrow -= event.cost
        w.spent += event.cost
        step.status = StepStatus.DISPATCHED
        step.attempts = event.attempt
        step.job_id = event.jobId
        step.retry_pending = False
        self.jobs[event.jobId] = JobRoute(w.workflow_id, event.stepIndex, event.attempt, w.run)

    def _on_StepDeferred(self, event: Event) -> None:
        w, step = self._step(event)
        where = f"workflow {w.workflow_id} step {event.stepIndex}"
        assert step.status == StepStatus.WAITING or step.retry_pending, f"{where} deferred while {step.status}"
        assert w.dependencies_done(event.stepIndex), f"{where} deferred (ready) before its dependencies had results"
        assert w.status in LIVE, f"{where} deferred in a {w.status.name} workflow"
        step.status = StepStatus.READY
        step.retry_pending = False

    def key_of(self, w: GhostWorkflow, index: int) -> bytes:
        """The step's key in the result cache: its module and its params as resolved now."""
        return cache_key(w.steps[index].definition.module, w.render(index))

    def _on_StepServedFromCache(self, event: Event) -> None:
        w, step = self._step(event)
        where = f"workflow {w.workflow_id} step {event.stepIndex}"
        assert step.definition.cacheable, f"{where} is not cacheable, yet was served from the cache"
        assert w.status == WorkflowStatus.RUNNING, f"{where} served while {w.status.name}"
        assert step.status in (StepStatus.WAITING, StepStatus.READY) and step.attempts == 0, (
            f"{where} served from the cache while {step.status.name} after {step.attempts} attempts"
        )
        assert w.dependencies_done(event.stepIndex), f"{where} served before its dependencies had results"
        key = self.key_of(w, event.stepIndex)
        assert event.key == key, f"{where} looked up under the wrong key"
        assert key in self.cache, f"{where} served from a cache entry that no accepted result filled"
        assert event.jobId == self.cache[key][1], f"{where} served another job's result"
        step.served = True
        step.job_id = event.jobId

    def _on_ResultCached(self, event: Event) -> None:
        w, step = self._step(event)
        where = f"workflow {w.workflow_id} step {event.stepIndex}"
        assert step.definition.cacheable, f"{where} is not cacheable, yet filled the cache"
        assert step.status == StepStatus.DISPATCHED and event.jobId == step.job_id, f"{where} filled out of turn"
        assert event.key == self.key_of(w, event.stepIndex) and event.key not in self.cache, (
            f"{where} filled the cache under the wrong key, or a key already filled"
        )
        step.filled = event.key

    def _on_StepCompleted(self, event: Event) -> None:
        w, step = self._step(event)
        where = f"workflow {w.workflow_id} step {event.stepIndex}"
        assert w.status in LIVE, f"{where} completed in a {w.status.name} workflow"
        assert step.completions == 0, f"{where} completed twice"
        if step.served:
            assert event.attempt == 0 and event.cid == self.cache[self.key_of(w, event.stepIndex)][0], (
                f"{where} served from the cache with another result"
            )
        else:
            assert step.status == StepStatus.DISPATCHED and step.attempts == event.attempt, (
                f"{where} completed attempt {event.attempt} while {step.status.name} at attempt {step.attempts}"
            )
            if step.definition.cacheable:
                key = self.key_of(w, event.stepIndex)
                expected = None if key in self.cache else key
                assert step.filled == expected, f"{where}: a cacheable result filled {step.filled}, not {expected}"
                if expected is not None:
                    self.cache[key] = (event.cid, step.job_id)
                    TALLY.add("cache filled")
            else:
                assert step.filled is None, f"{where} is not cacheable, yet filled the cache"
        step.completions += 1
        step.status = StepStatus.COMPLETED
        step.result = event.cid

    def _on_StepFailed(self, event: Event) -> None:
        w, step = self._step(event)
        where = f"workflow {w.workflow_id} step {event.stepIndex}"
        assert w.status in LIVE, f"{where} failed in a {w.status.name} workflow"
        if step.status == StepStatus.DISPATCHED and step.attempts == event.attempt:
            assert event.willRetry == (event.attempt <= step.definition.retries), f"{where}: wrong willRetry"
        else:
            # The dispatch itself reverted: here only because Lilypad was offered less than it charges.
            assert event.reason == DISPATCH_REVERTED and not event.willRetry, f"{where}: unexpected {event}"
            assert step.status in (StepStatus.WAITING, StepStatus.READY) and event.attempt == step.attempts + 1
            assert w.status == WorkflowStatus.RUNNING and w.dependencies_done(event.stepIndex)
            assert self.backend.underpaid(step.definition), f"{where}: the dispatch reverted although paid enough"
            step.attempts = event.attempt
            step.job_id = 0
        if event.willRetry:
            step.status = StepStatus.READY
            step.retry_pending = True
        else:
            step.status = StepStatus.FAILED

    def _on_StepExpired(self, event: Event) -> None:
        w, step = self._step(event)
        assert w.status in LIVE and step.status == StepStatus.DISPATCHED and step.attempts == event.attempt
        # By the stranger's `expire`, or by its deadline when its answer came too late (the zero address).
        assert event.expiredBy in (self.stack.stranger.address, ZERO_ADDRESS), event

    def _on_ResultIgnored(self, event: Event) -> None:
        pass  # the rules that answer jobs check when this is due

    def _on_WorkflowPaused(self, event: Event) -> None:
        w = self.workflows[event.workflowId]
        assert w.status == WorkflowStatus.RUNNING, f"paused a {w.status.name} workflow"
        w.status = WorkflowStatus.PAUSED

    def _on_WorkflowResumed(self, event: Event) -> None:
        w = self.workflows[event.workflowId]
        assert w.status == WorkflowStatus.PAUSED, f"resumed a {w.status.name} workflow"
        w.status = WorkflowStatus.RUNNING

    def _end(self, workflow_id: int, status: WorkflowStatus) -> None:
        w = self.workflows[workflow_id]
        assert w.status in LIVE, f"workflow {workflow_id} went from final {w.status.name} to {status.name}"
        w.status = status

    def _on_WorkflowCancelled(self, event: Event) -> None:
        self._end(event.workflowId, WorkflowStatus.CANCELLED)

    def _on_WorkflowCompleted(self, event: Event) -> None:
        w = self.workflows[event.workflowId]
        assert all(s.status == StepStatus.COMPLETED for s in w.steps), "completed with steps unfinished"
        self._end(event.workflowId, WorkflowStatus.COMPLETED)

    def _on_WorkflowFailed(self, event: Event) -> None:
        w = self.workflows[event.workflowId]
        failed = [s.definition.stepId for s in w.steps if s.status == StepStatus.FAILED]
        assert failed == [event.stepId], f"workflow failed naming step {event.stepId}; failed steps: {failed}"
        self._end(event.workflowId, WorkflowStatus.FAILED)

    def _on_Refunded(self, event: Event) -> None:
        w = self.workflows[event.workflowId]
        assert w.status not in LIVE, "refunded a live workflow"
        assert (event.owner, event.amount) == (w.owner, w.escrow), f"{event}; ghost escrow {w.escrow}"
        assert event.amount > 0, "refunded nothing"
        self.refundable[w.owner] += event.amount
        w.refunded += event.amount
        w.escrow = 0

    def _on_JobRefunded(self, event: Event) -> None:
        """LocalLilypad sent a job's payment back (a failure, an answer that no longer counts, a reclaim)."""
        job = self.jobs[event.jobId]
        w = self.workflows[job.workflow_id]
        assert event.workflowId == job.workflow_id, f"{event} credited the wrong workflow"
        assert event.jobId not in self.refunded_jobs, f"job {event.jobId} refunded twice"
        assert event.amount == self.cost_of(event.jobId), f"{event}: the job cost {self.cost_of(event.jobId)}"
        self.refunded_jobs.add(event.jobId)
        if job.run == w.run:
            w.spent -= event.amount
        else:  # an earlier run's job: that run's spending is over, so this run counts it as a deposit
            TALLY.add("refund of an earlier run's job")
        w.escrow += event.amount  # an ended workflow's is refunded next (Refunded)

    def _on_Withdrawn(self, event: Event) -> None:
        assert event.amount == self.refundable[event.account] > 0, f"{event}; ghost {self.refundable}"
        self.refundable[event.account] = 0

    def _on_WorkflowRedriven(self, event: Event) -> None:
        w = self.workflows[event.workflowId]
        assert w.status in (WorkflowStatus.FAILED, WorkflowStatus.CANCELLED), f"redrove a {w.status.name} workflow"
        unfinished = sum(s.status != StepStatus.COMPLETED for s in w.steps)
        assert (event.run, event.stepsRedriven) == (w.run + 1, unfinished), f"{event}; ghost run {w.run}"
        assert w.escrow == 0, "the last run's escrow was not refunded before the next run"
        w.status = WorkflowStatus.RUNNING
        w.run = event.run
        w.deposit = w.escrow = event.deposit
        w.spent = w.refunded = 0
        # The last run's gas deposit went back to its owner when it ended (GasRefunded), unless an owner
        # contract's notification was still due: then it was never refunded and carries into this run.
        w.gas_refunded = 0

    def _on_StepRedriven(self, event: Event) -> None:
        w, step = self._step(event)
        where = f"workflow {w.workflow_id} step {event.stepIndex}"
        assert w.status == WorkflowStatus.RUNNING and step.status != StepStatus.COMPLETED, f"{where} redriven"
        ready = w.dependencies_done(event.stepIndex)
        assert event.ready == ready, f"{where} redriven as ready={event.ready}"
        step.status = StepStatus.READY if ready else StepStatus.WAITING
        step.attempts = step.job_id = 0
        TALLY.add("step redriven ready" if ready else "step redriven waiting")

    def _on_GasFunded(self, event: Event) -> None:
        w = self.workflows[event.workflowId]
        assert w.status in LIVE and w.options is not None, f"gas funded for {w}"
        w.gas_deposit += event.amount

    def _on_KeeperReimbursed(self, event: Event) -> None:
        w = self.workflows[event.workflowId]
        assert not self.callback and event.keeper == self.sender, f"{event} paid someone but the caller"
        assert w.options is not None, "paid from a workflow with no keeper budget"
        _, max_price, premium, per_call, _ = w.options
        cap = per_call or DEFAULT_MAX_PAID_PER_CALL
        price = min(self.last_receipt.gas_price, max_price or 10**11)
        expected = min(event.gasUsed * price + premium, cap, w.gas_deposit)
        assert 0 < event.amount == expected <= cap, f"{event}: expected {expected}, cap {cap}"
        # Paid for about the gas the call used: its receipt counts it after EIP-3529's refunds (at most a fifth,
        # here from the Lilypad stand-in's cleared slots), the payment before them.
        assert event.gasUsed <= self.last_receipt.gas_used * 1.25 + 1000, f"{event}: {self.last_receipt.gas_used} gas"
        w.gas_deposit -= event.amount
        w.gas_paid += event.amount
        self.gas_balances[event.keeper] += event.amount
        TALLY.add("keeper paid")

    def _on_GasRefunded(self, event: Event) -> None:
        w = self.workflows[event.workflowId]
        assert w.status not in LIVE and (event.owner, event.amount) == (w.owner, w.gas_deposit) and event.amount > 0
        assert w.gas_refunded == 0, "gas refunded twice"
        self.gas_balances[w.owner] += event.amount
        w.gas_refunded, w.gas_deposit = event.amount, 0

    def _on_GasWithdrawn(self, event: Event) -> None:
        assert event.amount == self.gas_balances[event.account] > 0, f"{event}; ghost {self.gas_balances}"
        self.gas_balances[event.account] = 0

    def _on_WorkflowFunded(self, event: Event) -> None:
        w = self.workflows[event.workflowId]
        assert w.status in LIVE, f"funded a {w.status.name} workflow"
        w.escrow += event.amount

    # ------------------------------------------------------------------------------------ actions

    @initialize(workflow=workflows(), owner=PICK, extra=DEPOSIT_EXTRA, options=OPTIONS)
    def first_submit(self, workflow: spec.Workflow, owner: int, extra: int, options: Any) -> None:
        self.submit(workflow, owner, extra, options)

    @precondition(lambda self: len(self.workflows) < MAX_WORKFLOWS)
    @rule(workflow=workflows(), owner=PICK, extra=DEPOSIT_EXTRA, options=OPTIONS)
    def submit(self, workflow: spec.Workflow, owner: int, extra: int, options: Any = None) -> None:
        workflow = self.backend.prepare(workflow)
        definitions = encode(workflow)
        required = workflow.required_deposit_wei
        assert self.registry.requiredDeposit([tuple(d) for d in definitions]) == required
        sender = _pick(self.stack.users, owner)
        self.submitting = (definitions, sender, required + extra, options)
        events = self.backend.submit(self, [tuple(d) for d in definitions], sender, required + extra, options)
        self.submitting = None
        w = self.workflows[len(self.workflows)]
        roots = {i for i, d in enumerate(definitions) if not d.needs}
        dispatched = {e.stepIndex for e in self.named(events, "StepDispatched")}
        deferred = {e.stepIndex for e in self.named(events, "StepDeferred")}
        failed = {e.stepIndex for e in self.named(events, "StepFailed")}
        served = {e.stepIndex for e in self.named(events, "StepServedFromCache")}
        if served:
            # The dependents of a root served from the cache are worked off within the same budget.
            TALLY.add("served from the cache at submit")
            assert len(dispatched | served) + len(failed) <= MAX_DISPATCH_PER_DELIVERY
            if w.status == WorkflowStatus.RUNNING:
                assert roots <= dispatched | deferred | served, "every root is dispatched, served or deferred"
            else:
                assert w.status in (WorkflowStatus.COMPLETED, WorkflowStatus.FAILED)
        elif w.status == WorkflowStatus.RUNNING:
            assert dispatched | deferred == roots, "every root is dispatched or deferred at submit"
            assert len(dispatched) == min(len(roots), MAX_DISPATCH_PER_DELIVERY)
        else:
            # A root's dispatch reverted and failed the workflow; the roots after it stay Waiting.
            assert w.status == WorkflowStatus.FAILED and len(failed) == 1 and dispatched | deferred | failed <= roots

    def past_deadline(self, job: JobRoute, dispatched_at: int) -> bool:
        """Whether the last transaction's block is at or past the job's attempt's deadline."""
        timeout = self.workflows[job.workflow_id].steps[job.index].definition.timeout
        block = self.stack.chain.provider.web3.eth.get_block(self.last_receipt.block_number)
        return timeout > 0 and int(block["timestamp"]) >= dispatched_at + timeout

    def check_late_answer(self, events: list[Event], job: JobRoute, text: str, status_before: WorkflowStatus) -> None:
        """An answer after its attempt's deadline: ignored, and the attempt expired as `expire` would."""
        ignored = [(e.workflowId, e.stepIndex, e.attempt, e.result) for e in self.named(events, "ResultIgnored")]
        assert ignored == [(job.workflow_id, job.index, job.attempt, bounded(text))]
        (late,) = self.named(events, "ResultIgnored")
        refund = [(late.jobId, self.cost_of(late.jobId))] if self.backend.refunds_jobs else []
        assert self.refunds_in(events) == refund, "a late job was paid for (v1) or refunded (v2: the controller's)"
        (expired,) = self.named(events, "StepExpired")
        assert (expired.stepIndex, expired.attempt, expired.expiredBy) == (job.index, job.attempt, ZERO_ADDRESS)
        assert not self.named(events, "StepCompleted")
        self._check_attempt_failed(events, job, EXPIRED, status_before)
        TALLY.add("answer past its deadline")

    @precondition(lambda self: self.current_jobs())
    @rule(pick=PICK, cid=CIDS)
    def deliver_result(self, pick: int, cid: str) -> None:
        job_id = _pick(self.current_jobs(), pick)
        job = self.jobs[job_id]
        w = self.workflows[job.workflow_id]
        status_before = w.status
        dispatched_at = self.views.getStep(job.workflow_id, job.index).dispatchedAt
        events = self.backend.post_result(self, job_id, cid)
        self.answered.add(job_id)
        if self.past_deadline(job, dispatched_at):
            self.check_late_answer(events, job, cid, status_before)
            return
        assert not self.refunds_in(events), "a result that counted was not paid to the provider"
        if not result_form(cid):
            # Not a CID: a failed attempt, never spliced into anything.
            assert not self.named(events, "StepCompleted")
            self._check_attempt_failed(events, job, NOT_A_CID, status_before)
            TALLY.add("answer not a CID")
            return
        # Dependents served from the cache in the same transaction complete too, as attempt 0.
        completed = [
            (e.workflowId, e.stepIndex, e.attempt, e.cid) for e in self.named(events, "StepCompleted") if e.attempt
        ]
        assert completed == [(job.workflow_id, job.index, job.attempt, cid)]
        dispatches = len(self.named(events, "StepDispatched"))
        assert dispatches <= (MAX_DISPATCH_PER_DELIVERY if status_before == WorkflowStatus.RUNNING else 0)
        if all(s.status == StepStatus.COMPLETED for s in w.steps):
            # In runner mode the end is the runner's too: `advance` (or `resume`) completes the workflow.
            assert w.status == (WorkflowStatus.RUNNING if w.runner and status_before == WorkflowStatus.RUNNING
                                else status_before if w.runner else WorkflowStatus.COMPLETED)

    @precondition(lambda self: self.current_jobs())
    @rule(cid=CIDS)
    def deliver_oldest_result(self, cid: str) -> None:
        """A provider answering in order: keeps workflows moving towards completion."""
        self.deliver_result(0, cid)

    @precondition(lambda self: self.backend.answers_failures and self.current_jobs())
    @rule(pick=PICK, reason=REASONS)
    def fail_job(self, pick: int, reason: str) -> None:
        job_id = _pick(self.current_jobs(), pick)
        job = self.jobs[job_id]
        w = self.workflows[job.workflow_id]
        status_before = w.status
        dispatched_at = self.views.getStep(job.workflow_id, job.index).dispatchedAt
        events = self.backend.post_failure(self, job_id, reason)
        self.answered.add(job_id)
        assert self.refunds_in(events) == [(job_id, self.cost_of(job_id))], "a failed job's payment came back"
        if self.past_deadline(job, dispatched_at):
            self.check_late_answer(events, job, reason, status_before)  # the registry strips "JOB_FAILED:"
            return
        self._check_attempt_failed(events, job, bounded(reason), status_before)

    def _check_attempt_failed(
        self, events: list[Event], job: JobRoute, reason: str, status_before: WorkflowStatus
    ) -> None:
        w = self.workflows[job.workflow_id]
        step = w.steps[job.index]
        will_retry = job.attempt <= step.definition.retries
        (failed,) = self.named(events, "StepFailed")
        assert (failed.stepIndex, failed.attempt, failed.reason, failed.willRetry) == (
            job.index,
            job.attempt,
            reason,
            will_retry,
        )
        retried = [(e.stepIndex, e.attempt) for e in self.named(events, "StepDispatched")]
        deferred = [e.stepIndex for e in self.named(events, "StepDeferred")]
        if not will_retry:
            assert w.status == WorkflowStatus.FAILED and not retried and not deferred
        elif status_before == WorkflowStatus.RUNNING and w.runner and self.callback:
            assert deferred == [job.index] and not retried, "in runner mode a callback's retry is left to the runner"
        elif status_before == WorkflowStatus.RUNNING:
            assert retried == [(job.index, job.attempt + 1)] and not deferred, "a retry is dispatched at once"
        else:
            assert deferred == [job.index] and not retried, "a retry in a paused workflow is deferred"

    @precondition(lambda self: self.stale_jobs())
    @rule(pick=PICK, answer=st.one_of(CIDS.map(lambda c: (False, c)), REASONS.map(lambda r: (True, r))))
    def answer_stale_job(self, pick: int, answer: tuple[bool, str]) -> None:
        """An expired attempt's job, or a job of an ended workflow, answers late: the registry ignores it."""
        job_id = _pick(self.stale_jobs(), pick)
        job = self.jobs[job_id]
        failure, text = answer
        failure = failure and self.backend.answers_failures
        ended = self.workflows[job.workflow_id].status not in LIVE
        post = self.backend.post_failure if failure else self.backend.post_result
        events = post(self, job_id, text)
        self.answered.add(job_id)
        if not self.backend.refunds_jobs:
            assert [(e.name, e.jobId) for e in events] == [("ResultIgnored", job_id)], "a late answer did something"
        else:
            cost = self.cost_of(job_id)
            assert [(e.name, e.args.get("jobId"), e.workflowId) for e in events] == [
                ("JobRefunded", job_id, job.workflow_id),
                *([("Refunded", None, job.workflow_id)] if ended else []),
                ("ResultIgnored", job_id, job.workflow_id),
            ], "an answer that no longer counts is not paid for: its payment comes back"
            assert self.refunds_in(events) == [(job_id, cost)]
        (ignored,) = self.named(events, "ResultIgnored")
        assert (ignored.stepIndex, ignored.attempt, ignored.result) == (job.index, job.attempt, bounded(text))
        if job.run != self.workflows[job.workflow_id].run:
            TALLY.add("answer from an earlier run")

    @precondition(lambda self: self.backend.refunds_jobs and self.stale_jobs())
    @rule(pick=PICK)
    def reclaim_stale_job(self, pick: int) -> None:
        """Anyone reclaims an unanswered job its client gave up on: its payment goes back to the workflow."""
        job_id = _pick(self.stale_jobs(), pick)
        job = self.jobs[job_id]
        ended = self.workflows[job.workflow_id].status not in LIVE
        events = self.send(self.backend.lilypad.reclaim, job_id, sender=self.stack.stranger)
        self.answered.add(job_id)
        assert [e.name for e in events] == ["JobRefunded", *(["Refunded"] if ended else [])]
        assert self.refunds_in(events) == [(job_id, self.cost_of(job_id))]

    def expirable(self) -> list[tuple[int, int]]:
        return [
            (w.workflow_id, i)
            for w in self.workflows.values()
            if w.status in LIVE
            for i, s in enumerate(w.steps)
            if s.status == StepStatus.DISPATCHED and s.definition.timeout > 0
        ]

    @precondition(lambda self: self.expirable())
    @rule(pick=PICK, late=st.integers(0, 100))
    def expire(self, pick: int, late: int) -> None:
        workflow_id, index = _pick(self.expirable(), pick)
        w = self.workflows[workflow_id]
        step = w.steps[index]
        chain = self.stack.chain
        due = self.views.getStep(workflow_id, index).dispatchedAt + step.definition.timeout
        now = self.views.timestamp()
        if due > now:
            chain.mine(deltatime=due - now + late)
        job = JobRoute(workflow_id, index, step.attempts)
        status_before = w.status
        events = self.send(self.registry.expire, workflow_id, index, sender=self.stack.stranger)
        (expired,) = self.named(events, "StepExpired")
        assert (expired.stepIndex, expired.attempt) == (index, job.attempt)
        self._check_attempt_failed(events, job, "expired", status_before)

    @precondition(lambda self: self.live_workflows())
    @rule(pick=PICK, roll=st.integers(0, 9))
    def owner_control(self, pick: int, roll: int) -> None:
        """The owner pauses a running workflow or resumes a paused one (mostly), cancels it (sometimes), or
        asks for the transition it is already in and is refused."""
        w = self.workflows[_pick(self.live_workflows(), pick)]
        self.dirty.add(w.workflow_id)
        owner = self.account(w.owner)
        toggle, wrong = ("pause", "resume") if w.status == WorkflowStatus.RUNNING else ("resume", "pause")
        action = toggle if roll < 6 else "cancel" if roll < 8 else wrong
        method = getattr(self.registry, action)
        if action == wrong:
            self.expect_revert("WrongWorkflowStatus", method, w.workflow_id, sender=owner)
            return
        escrow = w.escrow
        ready = any(s.status == StepStatus.READY for s in w.steps)
        events = self.send(method, w.workflow_id, sender=owner)
        if action == "pause":
            assert [e.name for e in events] == ["WorkflowPaused"]
        elif action == "cancel":
            gas = ["GasRefunded"] if w.gas_refunded else []
            assert [e.name for e in events] == ["WorkflowCancelled", "Refunded"][: 2 if escrow else 1] + gas
        else:
            assert events[0].name == "WorkflowResumed"
            started = ("StepDispatched", "StepFailed", "StepServedFromCache")
            dispatches = sum(len(self.named(events, name)) for name in started)
            assert dispatches <= MAX_DISPATCH_PER_DELIVERY
            # Queued notifications are worked off first; they can use up the notify budget only in a
            # workflow with more edges than the budget.
            if ready and w.edges <= MAX_NOTIFY_PER_DELIVERY:
                assert dispatches > 0, "resume left every ready step queued"

    def redrivable(self) -> list[int]:
        ended = (WorkflowStatus.FAILED, WorkflowStatus.CANCELLED)
        return sorted(i for i, w in self.workflows.items() if w.status in ended)

    @precondition(lambda self: self.redrivable())
    @rule(pick=PICK, extra=DEPOSIT_EXTRA, roll=st.integers(0, 9))
    def redrive(self, pick: int, extra: int, roll: int) -> None:
        """The owner redrives a failed or cancelled workflow with enough for every attempt of every step back
        in play (mostly); a stranger tries, or the owner pays one unit short, and is refused."""
        w = self.workflows[_pick(self.redrivable(), pick)]
        self.dirty.add(w.workflow_id)
        owner = self.account(w.owner)
        back = [i for i, s in enumerate(w.steps) if s.status != StepStatus.COMPLETED]
        required = sum(w.steps[i].definition.cost * (1 + w.steps[i].definition.retries) for i in back)
        if roll == 0:
            method, args, value = self.backend.redrive_call(w.workflow_id, required, self.stack.stranger)
            self.expect_revert("NotWorkflowOwner", method, *args, sender=self.stack.stranger, value=value)
            return
        if roll == 1:
            method, args, value = self.backend.redrive_call(w.workflow_id, required - 1, owner)
            self.expect_revert("InsufficientDeposit", method, *args, sender=owner, value=value)
            return
        method, args, value = self.backend.redrive_call(w.workflow_id, required + extra, owner)
        if not back:  # a cancelled workflow's last in-flight answers landed: nothing left to run
            self.expect_revert("NothingToRedrive", method, *args, sender=owner, value=value)
            return
        events = self.send(method, *args, sender=owner, value=value)
        assert [e.name for e in events[: 1 + len(back)]] == ["WorkflowRedriven"] + ["StepRedriven"] * len(back)
        assert [e.stepIndex for e in self.named(events, "StepRedriven")] == back
        started = ("StepDispatched", "StepFailed", "StepServedFromCache")
        attempts = sum(len(self.named(events, name)) for name in started)
        assert attempts <= MAX_DISPATCH_PER_DELIVERY
        # A step served from the cache uses a dispatch of the budget, and its dependents are told through the
        # queue: only a workflow with more edges than the notify budget may leave them for `advance`.
        ready = any(s.status == StepStatus.READY for s in w.steps)
        if w.status == WorkflowStatus.RUNNING and ready and w.edges <= MAX_NOTIFY_PER_DELIVERY:
            assert attempts == MAX_DISPATCH_PER_DELIVERY, "a redrive left a ready step queued within its budget"
        if w.status == WorkflowStatus.RUNNING:
            assert any(w.steps[i].status in (StepStatus.READY, StepStatus.DISPATCHED) for i in back)
        TALLY.add(f"redriven to run {w.run}")

    def running_workflows(self) -> list[int]:
        return sorted(i for i, w in self.workflows.items() if w.status == WorkflowStatus.RUNNING)

    @precondition(lambda self: self.running_workflows())
    @rule(pick=PICK, max_dispatches=st.integers(0, 4))
    def advance(self, pick: int, max_dispatches: int) -> None:
        w = self.workflows[_pick(self.running_workflows(), pick)]
        self.dirty.add(w.workflow_id)
        ready = any(s.status == StepStatus.READY for s in w.steps)
        queued = self.views.getWorkflow(w.workflow_id).queuedCount
        events = self.send(self.registry.advance, w.workflow_id, max_dispatches, sender=self.stack.keeper)
        moved = queued != self.views.getWorkflow(w.workflow_id).queuedCount
        worked = [e for e in events if e.name not in ("KeeperReimbursed", "GasRefunded")]
        if not worked and not moved:
            assert not self.named(events, "KeeperReimbursed"), "a keeper was paid for an advance that did nothing"
            TALLY.add("advance with nothing to do, paid nothing")
        attempts = len(self.named(events, "StepDispatched")) + len(self.named(events, "StepServedFromCache")) + len(
            [e for e in self.named(events, "StepFailed") if e.reason == DISPATCH_REVERTED]
        )
        assert attempts <= max_dispatches
        # Queued notifications come first and may use up the notify budget only in a workflow with more
        # edges than it: otherwise a ready step must go out.
        if ready and max_dispatches and w.edges <= MAX_NOTIFY_PER_DELIVERY * max_dispatches:
            assert attempts > 0, "advance left every ready step queued"

    @precondition(lambda self: self.live_workflows())
    @rule(pick=PICK, funder=PICK, amount=st.one_of(st.just(0), st.integers(1, 10**6)))
    def fund(self, pick: int, funder: int, amount: int) -> None:
        """Anyone tops up a live workflow; the refund still goes to the owner."""
        w = self.workflows[_pick(self.live_workflows(), pick)]
        self.dirty.add(w.workflow_id)
        sender = _pick([*self.stack.users, self.stack.stranger], funder)
        events = self.backend.fund(self, w.workflow_id, sender, amount)
        assert [(e.name, e.funder, e.amount) for e in events] == [("WorkflowFunded", sender.address, amount)]

    def budgeted_live(self) -> list[int]:
        return [i for i in self.live_workflows() if self.workflows[i].options is not None]

    @precondition(lambda self: self.live_workflows())
    @rule(pick=PICK, funder=PICK, amount=st.sampled_from([0, 1, 10**14]))
    def fund_gas(self, pick: int, funder: int, amount: int) -> None:
        """Anyone adds gas to a live workflow with a keeper budget; one without refuses it."""
        w = self.workflows[_pick(self.live_workflows(), pick)]
        sender = _pick([*self.stack.users, self.stack.stranger], funder)
        if w.options is None:
            self.expect_revert("NoKeeperBudget", self.registry.fundGas, w.workflow_id, sender=sender, value=amount)
            return
        events = self.send(self.registry.fundGas, w.workflow_id, sender=sender, value=amount)
        assert [(e.name, e.funder, e.amount) for e in events] == [("GasFunded", sender.address, amount)]

    @precondition(lambda self: any(self.gas_balances.values()))
    @rule(pick=PICK)
    def withdraw_gas(self, pick: int) -> None:
        address = _pick(sorted(a for a, owed in self.gas_balances.items() if owed), pick)
        account = next(a for a in [*self.stack.users, self.stack.stranger, self.stack.keeper] if a.address == address)
        owed = self.gas_balances[address]
        before = account.balance
        events = self.send(self.registry.withdrawGas, sender=account)
        assert [(e.name, e.amount) for e in events] == [("GasWithdrawn", owed)]
        assert account.balance == before + owed - self.last_receipt.total_fees_paid, "the gas balance was not paid"

    def untaken_deposits(self) -> list[int]:
        return sorted(j for j in self.jobs if j not in self.deposits_taken)

    @precondition(lambda self: self.backend.takes_deposits and self.untaken_deposits())
    @rule(pick=PICK)
    def take_deposit(self, pick: int) -> None:
        """v2: the controller takes a dispatched job's deposit from the registry (at any time, whatever became
        of the job): the allowance falls by exactly that, and no workflow's money changes."""
        job_id = _pick(self.untaken_deposits(), pick)
        receipt = self.backend.take_deposit(PRICE)
        assert not [log for log in receipt.decode_logs() if log.contract_address == self.registry.address]
        self.deposits_taken.add(job_id)
        TALLY.add("deposit taken")

    @precondition(lambda self: any(self.refundable.values()))
    @rule(pick=PICK)
    def withdraw(self, pick: int) -> None:
        account = self.account(_pick(sorted(a for a, owed in self.refundable.items() if owed), pick))
        owed = self.refundable[account.address]
        before = self.backend.balance_of(account)
        events = self.send(self.registry.withdraw, sender=account)
        assert [(e.name, e.amount) for e in events] == [("Withdrawn", owed)]
        paid = before + owed - self.backend.fees(self.last_receipt)
        assert self.backend.balance_of(account) == paid, "the refund was not paid"

    @rule(
        kind=st.sampled_from(
            [
                "answered twice",
                "not expirable",
                "wrong status",
                "answered twice",
                "not the owner",
                "nothing to withdraw",
                "not reclaimable",
                "unknown workflow",
                "stranger answers",
                "impostor lilypad",
                "controller takes too much",
                "no timeout",
            ]
        ),
        pick=PICK,
        index=st.integers(0, FAN_OUT_STEPS[1]),
        text=CIDS,
    )
    def refused_call(self, kind: str, pick: int, index: int, text: str) -> None:
        """A call that must be refused, with the custom error the interface names for it."""
        registry, stranger, keeper = self.registry, self.stack.stranger, self.stack.keeper
        backend = self.backend
        if kind == "answered twice":
            if not self.answered:
                return
            job_id = _pick(sorted(self.answered), pick)
            if backend.refunds_jobs:
                # A duplicate or late answer to a job already answered: LocalLilypad refuses it, nothing changes.
                post = backend.lilypad.postFailure if index % 2 else backend.lilypad.postResult
                self.expect_revert("JobAlreadyAnswered", post, job_id, text, sender=backend.provider)
            else:
                # The v2 job creator forwards whatever its controller sends: the registry ignores a second answer.
                events = backend.post_result(self, job_id, text)
                assert [(e.name, e.jobId) for e in events] == [("ResultIgnored", job_id)], events
                TALLY.add("answered twice, ignored")
            return
        if kind == "controller takes too much":
            # The allowance is exactly the deposits not yet taken: one unit more is refused by the token.
            if backend.takes_deposits:
                outstanding = backend.owed_to_lilypad_in_registry(self)
                method = backend.token.transferFrom
                args = (self.registry.address, backend.controller.address, outstanding + 1)
                assert revert_reason(self.stack.chain, method, args, backend.controller, 0) is not None
                TALLY.add("controller refused more than its allowance")
            return
        if kind == "no timeout":
            # v2 sends no failure callback: a step without a timeout could wait forever, so it is refused.
            if backend.takes_deposits:
                step = tuple(StepDefinition(1, PRICE, 0, 0, [], FREE_MODULE, b""))
                owner = _pick(self.stack.users, pick)
                backend.token.approve(self.registry, PRICE, sender=owner)
                self.expect_revert("TimeoutRequired", self.registry.submit, [step], PRICE, sender=owner)
            return
        if kind == "nothing to withdraw":
            broke = [a for a in [*self.stack.users, stranger] if not self.refundable[a.address]]
            if broke:
                self.expect_revert("NothingToWithdraw", registry.withdraw, sender=_pick(broke, pick))
            return
        if kind == "not reclaimable":
            # A job still awaited (no deadline to race with the clock) cannot be reclaimed.
            if not backend.refunds_jobs:
                return  # v2 has no reclaim: a deposit is the controller's once it is allowed
            awaited = [
                j
                for j in self.current_jobs()
                if not self.workflows[self.jobs[j].workflow_id].steps[self.jobs[j].index].definition.timeout
            ]
            if awaited:
                job_id = _pick(awaited, pick)
                self.expect_revert("JobNotReclaimable", backend.lilypad.reclaim, job_id, sender=stranger)
            return
        if kind == "stranger answers":
            # Through LocalLilypad, as if a provider: only registered providers may answer.
            if self.jobs:
                error, method, args = backend.stranger_answer(_pick(sorted(self.jobs), pick), text, bool(index % 2))
                self.expect_revert(error, method, *args, sender=stranger)
            return
        if kind == "impostor lilypad":
            # Straight to the registry's callback, as if Lilypad: only the configured Lilypad may call it.
            error, method, args = backend.impostor_answer(_pick(sorted(self.jobs), pick) if self.jobs else 1, text)
            self.expect_revert(error, method, *args, sender=stranger)
            return
        if kind == "unknown workflow":
            unknown = len(self.workflows) + 1
            method, args = _pick(
                [
                    (registry.pause, (unknown,)),
                    (registry.resume, (unknown,)),
                    (registry.cancel, (unknown,)),
                    (registry.fund, backend.fund_arguments(unknown)),
                    (registry.advance, (unknown, 1)),
                    (registry.expire, (unknown, 0)),
                ],
                index,
            )
            self.expect_revert("UnknownWorkflow", method, *args, sender=stranger)
            return
        w = _pick(list(self.workflows.values()), pick)
        self.dirty.add(w.workflow_id)
        owner = self.account(w.owner)
        if kind == "not the owner":
            method = _pick([registry.pause, registry.resume, registry.cancel], index)
            self.expect_revert("NotWorkflowOwner", method, w.workflow_id, sender=stranger)
        elif kind == "wrong status":
            options = {
                WorkflowStatus.RUNNING: [(registry.resume, (w.workflow_id,), owner)],
                WorkflowStatus.PAUSED: [
                    (registry.pause, (w.workflow_id,), owner),
                    (registry.advance, (w.workflow_id, 1), keeper),
                ],
            }.get(
                w.status,
                [
                    (registry.pause, (w.workflow_id,), owner),
                    (registry.resume, (w.workflow_id,), owner),
                    (registry.cancel, (w.workflow_id,), owner),
                    (registry.fund, backend.fund_arguments(w.workflow_id), stranger),
                    (registry.advance, (w.workflow_id, 1), keeper),
                    (registry.expire, (w.workflow_id, 0), stranger),
                ],
            )
            method, args, sender = _pick(options, index)
            self.expect_revert("WrongWorkflowStatus", method, *args, sender=sender)
        elif w.status not in LIVE:
            self.expect_revert("WrongWorkflowStatus", registry.expire, w.workflow_id, index, sender=stranger)
        elif index >= len(w.steps):
            self.expect_revert("UnknownStep", registry.expire, w.workflow_id, index, sender=stranger)
        else:
            step = w.steps[index]
            if step.status == StepStatus.DISPATCHED and step.definition.timeout > 0:
                due = self.views.getStep(w.workflow_id, index).dispatchedAt + step.definition.timeout
                if due - self.views.timestamp() < 10:
                    return  # due now or nearly: the expire rule covers it, and the clock would make this racy
            self.expect_revert("StepNotExpirable", registry.expire, w.workflow_id, index, sender=stranger)

    # ------------------------------------------------------------------------------------ invariants

    @invariant()
    def solvency(self) -> None:
        """The registry holds exactly the live escrows plus what it owes, to the wei; the chain agrees."""
        registry = self.views
        for w in self.workflows.values():
            summary = registry.getWorkflow(w.workflow_id)
            assert WorkflowStatus(summary.status) == w.status, f"workflow {w.workflow_id}: status {summary.status}"
            assert (summary.balance, summary.spent) == (w.escrow, w.spent), f"workflow {w.workflow_id} money"
            assert summary.refunded == w.refunded, f"workflow {w.workflow_id} refunded"
        for address, owed in self.refundable.items():
            assert registry.refundableOf(address) == owed, f"refundable of {address}"
        held = sum(w.escrow for w in self.workflows.values() if w.status in LIVE) + sum(self.refundable.values())
        held += self.backend.owed_to_lilypad_in_registry(self)
        gas = sum(w.gas_deposit for w in self.workflows.values()) + sum(self.gas_balances.values())
        holds = self.backend.registry_holds(self)
        assert holds == held + (gas if self.backend.name == "v1" else 0), f"registry holds {holds}, owes {held}"
        if self.backend.name != "v1":  # the escrow is the token; the gas deposits are the ether
            assert registry.balance() == gas, f"registry holds {registry.balance()} wei, owes {gas} of gas"
        for address, owed in self.gas_balances.items():
            assert registry.gasBalanceOf(address) == owed, f"gas balance of {address}"
        for w in self.workflows.values():
            account = registry.keeperAccountOf(w.workflow_id)
            assert (account.runner, account.gasDeposit, account.gasPaid, account.gasRefunded) == (
                w.runner, w.gas_deposit, w.gas_paid, w.gas_refunded
            ), f"workflow {w.workflow_id}: keeper account {account}"
        self.backend.check_lilypad(self)

    @invariant()
    def steps_match_the_chain(self) -> None:
        for workflow_id in sorted(self.dirty):
            w = self.workflows.get(workflow_id)
            if w is None:
                continue
            states = self.views.getSteps(workflow_id)
            for index, (state, step) in enumerate(zip(states, w.steps, strict=True)):
                where = f"workflow {workflow_id} step {index}"
                expected = shown(w.status, step.status)
                assert StepStatus(state.status) == expected, f"{where}: chain {state.status}, ghost {expected}"
                assert state.attempts == step.attempts, f"{where}: attempts"
                if step.attempts or step.served:
                    assert state.jobId == step.job_id, f"{where}: job id"
                if step.served:
                    assert state.params == w.render(index), f"{where}: served from the cache with other params"
                assert state.resultCid == (step.result or ""), f"{where}: result"
            summary = self.views.getWorkflow(workflow_id)
            in_flight = sum(s.status == StepStatus.DISPATCHED for s in w.steps)
            completed = sum(s.status == StepStatus.COMPLETED for s in w.steps)
            assert (summary.completedCount, summary.stepCount) == (completed, len(w.steps))
            if w.status in LIVE:
                assert summary.inFlightCount == in_flight, f"workflow {workflow_id}: in flight"
                assert summary.inFlightCount + summary.queuedCount > 0, f"workflow {workflow_id} is stuck"
            else:
                assert (summary.inFlightCount, summary.queuedCount) == (0, 0), f"workflow {workflow_id} ended"
        self.dirty.clear()

    @invariant()
    def the_cache_holds_the_first_accepted_results(self) -> None:
        """Every key filled holds the first result Lilypad posted for it, with its job; nothing else is cached."""
        for key, entry in self.cache.items():
            assert self.views.cached_result(key) == entry, f"cache entry {key.hex()}"


def run_registry_machine(project: Any, chain: Any, accounts: Any, backend: str = "v1", examples: int = 0) -> None:
    """Deploy a fresh stand-in and registry on `backend` ("v1": ether, "v2": token) and run the machine at
    SETTINGS (the suite's profile, or the soak), or at `examples` examples when given (outside the soak)."""
    deployer, user, stranger, provider, keeper = (accounts[i] for i in range(5))
    # Not `chain.isolate()`: in eth-ape 0.8.51 it swallows every exception raised inside it, failed
    # assertions included, so a test wrapped in it cannot fail.
    snapshot = chain.snapshot()
    try:
        users = [user, accounts[5], accounts[6]]
        deployed = BACKENDS[backend].deploy(project, deployer, provider, [*users, stranger])
        views = Views(chain, deployed.registry)
        RegistryMachine.stack = Stack(chain, deployed, keeper, stranger, users, views)
        profile = settings(SETTINGS, max_examples=examples) if examples and not SOAK else SETTINGS
        run_state_machine_as_test(RegistryMachine, settings=profile)
    finally:
        chain.restore(snapshot)
        print("transitions reached:", dict(sorted(TALLY.counts.items())))


def test_regression_no_step_deferred_after_workflow_failed(project: Any, chain: Any, accounts: Any) -> None:
    """Found by the state machine: a dispatch that reverts (here: Lilypad paid less than it charges) fails the
    workflow, and the same transaction used to go on marking the next ready step Ready and queueing it
    (StepDeferred after WorkflowFailed, a Failed workflow with queuedCount 1). Once a workflow has ended,
    nothing more of it is queued or dispatched."""
    deployer, owner, provider = accounts[0], accounts[1], accounts[3]
    snapshot = chain.snapshot()
    try:
        lilypad = deploy_local_lilypad(project, deployer, {PRICED_MODULE: PRICE}, [provider])
        registry = deploy_registry(project, deployer, lilypad).registry
        underpaid = StepDefinition(1, PRICE - 1, 0, 0, [], PRICED_MODULE, b"")
        paid = StepDefinition(2, PRICE, 0, 0, [], PRICED_MODULE, b"")
        receipt = registry.submit([tuple(underpaid), tuple(paid)], sender=owner, value=2 * PRICE - 1)
        names = [log.event_name for log in receipt.decode_logs() if log.contract_address == registry.address]
        assert names == ["WorkflowSubmitted", "StepFailed", "WorkflowFailed", "Refunded"]
        summary = registry.getWorkflow(1)
        assert (summary.status, summary.queuedCount) == (WorkflowStatus.FAILED, 0)
        assert registry.getStep(1, 1).status == StepStatus.SKIPPED  # never ran: the workflow had failed
    finally:
        chain.restore(snapshot)
