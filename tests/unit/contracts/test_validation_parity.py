"""Python's validator and the registry's `submit` accept exactly the same workflows.

Valid workflows from tests/support/strategies.py are encoded to `StepDefinition`s and then mutated at the
definition level, where the chain sees them: a zero cost, too many retries, a timeout over the limit,
`needs` out of order, repeated, or pointing at the step itself or later, a params reference to a step
that is not a dependency, truncated or zero-length text segments, tricky module names, a repeated step
id, too long params, too many references, costs that overflow the deposit.

Python side: the rules that exist only at the definition level (positions: `needs` earlier and ascending,
references among the `needs`, params bytes that parse and fit) are checked by `definition_problems`
below, since tinyhops validates documents, not raw definitions; everything else goes back through the
real validator: `tinyhops.encoding.decode`, then `spec.from_document` on the decoded workflow.
Chain side: `requiredDeposit(steps)`, then `submit(steps)` with that value as an eth_call, which runs the
same code as a transaction and leaves no state behind.

Out of scope: text segments that are not UTF-8. The registry does not check UTF-8 (ParamsEncoding.sol
says so: the off-chain encoder does), so such params are accepted on-chain and refused by Python by
design. Every generated text is valid UTF-8 as a whole (split segments may cut a character in two).
Also out of scope: MAX_STEPS and MAX_NEEDS, which need over a thousand steps.

A failure prints the shrunk definitions, the mutations applied and a `--hypothesis-seed=N` to replay it;
`--hypothesis-show-statistics` shows which errors each mutation reached.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_utils import keccak, to_hex
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from strategies import GeneratedWorkflow, workflows

from tinyhops import encoding, spec
from tinyhops.encoding import StepDefinition, params_segments
from tinyhops.errors import EncodingError, WorkflowInvalid
from tinyhops.spec import limits, params

ROOT = Path(__file__).resolve().parents[3]
UINT96_MAX = 2**96 - 1
UINT32_MAX = 2**32 - 1

# ---------------------------------------------------------------------------------------------- Python side


def definition_problems(steps: Sequence[StepDefinition]) -> set[str]:
    """What the chain checks that a document cannot express, named as the registry's errors.

    Positions link steps in a definition: each `needs` must list earlier positions in strictly ascending
    order, and each params reference must name one of them. Params must parse and fit MAX_PARAMS_BYTES as
    encoded: adjacent text segments (which tinyhops merges when decoding) count at their encoded size.
    """
    found: set[str] = set()
    dependents = [0] * len(steps)
    for index, step in enumerate(steps):
        needs = [int(n) for n in step.needs]
        if len(needs) > limits.MAX_NEEDS:
            found.add("TooManyDependencies")
        if any(n >= index for n in needs):
            found.add("DependencyNotEarlier")
        if any(b <= a for a, b in zip(needs, needs[1:], strict=False)):
            found.add("DependenciesNotAscending")
        for n in needs:
            if n < len(steps):
                dependents[n] += 1
        data = bytes(step.params)
        if len(data) > limits.MAX_PARAMS_BYTES:
            found.add("ParamsTooLong")
        try:
            segments = params_segments.decode(data, lambda position: position)
        except EncodingError:
            found.add("MalformedParams")
            continue
        references = params.references(segments)
        if any(r not in needs for r in references):
            found.add("ReferenceNotADependency")
        if len(references) > limits.MAX_REFERENCES:
            found.add("TooManyReferences")
    return found


def document_of(workflow: spec.Workflow) -> dict[str, Any]:
    """A `.thops.json` document for a decoded workflow: explicit `needs`, costs in wei."""
    return {
        "version": "v0.0.1",
        "steps": [
            {
                "stepId": step.step_id,
                "stepModule": {
                    "cmd": step.module,
                    "params": params.unparse(step.params),
                    "cost": f"{step.cost_wei} wei",
                },
                "needs": list(step.needs),
                "timeout": step.timeout,
                "retries": step.retries,
            }
            for step in workflow.steps
        ],
    }


def python_accepts(steps: Sequence[StepDefinition]) -> tuple[bool, str]:
    """Whether tinyhops accepts the definitions, and why not."""
    problems = definition_problems(steps)
    if problems:
        return False, f"definition: {sorted(problems)}"
    try:
        workflow = encoding.decode(steps)
    except EncodingError as exc:
        return False, f"decode: {exc}"
    try:
        spec.from_document(document_of(workflow))
    except WorkflowInvalid as exc:
        return False, exc.one_line()
    return True, ""


# ---------------------------------------------------------------------------------------------- chain side


@dataclass
class Chain:
    request: Callable[[str, list[Any]], dict[str, Any]]
    registry: Any
    submitter: str
    errors: dict[bytes, str]  # selector -> name, IWorkflowRegistry's custom errors

    def required_deposit(self, steps: Sequence[StepDefinition]) -> int:
        return int(self.registry.requiredDeposit([tuple(s) for s in steps]))

    def submit_error(self, steps: Sequence[StepDefinition]) -> str | None:
        """None if `submit` with the required deposit succeeds, else the name of its custom error."""
        call = {
            "from": self.submitter,
            "to": self.registry.address,
            "data": to_hex(self.registry.submit.encode_input([tuple(s) for s in steps])),
            "value": hex(self.required_deposit(steps)),
            "gas": hex(30_000_000),
        }
        response = self.request("eth_call", [call, "latest"])
        if "error" not in response:
            return None
        data = bytes.fromhex(str(response["error"].get("data") or "0x")[2:])
        name = self.errors.get(data[:4])
        assert name is not None, f"submit reverted without an IWorkflowRegistry custom error: {response}"
        return name


@pytest.fixture(scope="module")
def onchain(project: Any, chain: Any, accounts: Any, registry: Any) -> Any:
    interface = project.load_contracts(ROOT / "contracts" / "interfaces" / "IWorkflowRegistry.sol")["IWorkflowRegistry"]
    errors = {keccak(text=abi.selector)[:4]: abi.name for abi in interface.errors}
    submitter = accounts[7]
    # Not `chain.isolate()`: in eth-ape 0.8.51 it swallows every exception raised inside it.
    snapshot = chain.snapshot()
    try:
        # Rich enough for any deposit, including one past uint96 (DepositTooLarge).
        chain.provider.set_balance(submitter.address, 2**128)
        yield Chain(chain.provider.web3.provider.make_request, registry, submitter.address, errors)
    finally:
        chain.restore(snapshot)


# ---------------------------------------------------------------------------------------------- mutations

TRICKY_MODULES = [
    "cowsay",
    ":v1",
    "a:",
    "a:b:c",
    "a b:v1",
    "a/b:v1",
    "a:v1+x",
    "a:v/1",
    "a+b:v1",
    "Ä:v1",
    "ａ:v1",
    "a:v١",
    "-a:v1",
    "a:-v1",
    ".a:v1",
    "a.b_c-d/e:v1.2_3-4+5",
    "a:v1 ",
    " a:v1",
    "a:v1\n",
    "\na:v1",
    "a:v1\x00",
    "a\n:v1",
    "",
    ":",
    "a" * 125 + ":v1",  # 128 bytes: the longest allowed
    "a" * 126 + ":v1",  # 129 bytes
    "é" * 62 + ":v1",  # 127 bytes, not ASCII
    "sdxl:v0.9-lilypad1",
]


@dataclass(frozen=True)
class Mutation:
    """A change to the definitions and the one registry error it may cause (None: it never breaks them).

    Mutations at a limit's edge (retries 5, exactly 8192 bytes of params) name the error they would cause
    one step further: whether the result is valid is what the test asks both sides.
    """

    name: str
    error: str | None


Mutator = Callable[[st.DrawFn, list[StepDefinition]], tuple[list[StepDefinition], Mutation] | None]


def _replace(steps: list[StepDefinition], index: int, **changes: Any) -> list[StepDefinition]:
    out = list(steps)
    out[index] = out[index]._replace(**changes)
    return out


def _any_step(draw: st.DrawFn, steps: list[StepDefinition], where: Callable[[int], bool] = lambda i: True) -> int:
    eligible = [i for i in range(len(steps)) if where(i)]
    return draw(st.sampled_from(eligible)) if eligible else -1


def _segments(data: bytes) -> list[bytes]:
    """Split valid params bytes into their encoded segments (header included)."""
    out, offset = [], 0
    while offset < len(data):
        header = int.from_bytes(data[offset : offset + 2], "big")
        size = 2 if header & params_segments.REFERENCE_FLAG else 2 + header
        out.append(data[offset : offset + size])
        offset += size
    return out


def _text(payload: bytes) -> bytes:
    return len(payload).to_bytes(2, "big") + payload


def _reference(position: int) -> bytes:
    return (params_segments.REFERENCE_FLAG | position).to_bytes(2, "big")


def zero_cost(draw: st.DrawFn, steps: list[StepDefinition]) -> Any:
    return _replace(steps, _any_step(draw, steps), cost=0), Mutation("cost 0", "ZeroCost")


def retries(draw: st.DrawFn, steps: list[StepDefinition]) -> Any:
    value = draw(st.sampled_from([limits.MAX_RETRIES, limits.MAX_RETRIES + 1, 255]))
    return _replace(steps, _any_step(draw, steps), retries=value), Mutation(f"retries {value}", "TooManyRetries")


def timeout(draw: st.DrawFn, steps: list[StepDefinition]) -> Any:
    value = draw(st.sampled_from([limits.MAX_TIMEOUT_SECONDS, limits.MAX_TIMEOUT_SECONDS + 1, UINT32_MAX]))
    return _replace(steps, _any_step(draw, steps), timeout=value), Mutation(f"timeout {value}", "TimeoutTooLong")


def needs_swapped(draw: st.DrawFn, steps: list[StepDefinition]) -> Any:
    index = _any_step(draw, steps, lambda i: len(steps[i].needs) >= 2)
    if index < 0:
        return None
    needs = list(steps[index].needs)
    k = draw(st.integers(0, len(needs) - 2))
    needs[k], needs[k + 1] = needs[k + 1], needs[k]
    return _replace(steps, index, needs=needs), Mutation("needs not ascending", "DependenciesNotAscending")


def needs_repeated(draw: st.DrawFn, steps: list[StepDefinition]) -> Any:
    index = _any_step(draw, steps, lambda i: len(steps[i].needs) >= 1)
    if index < 0:
        return None
    needs = list(steps[index].needs)
    k = draw(st.integers(0, len(needs) - 1))
    needs.insert(k, needs[k])
    return _replace(steps, index, needs=needs), Mutation("needs repeated", "DependenciesNotAscending")


def needs_not_earlier(draw: st.DrawFn, steps: list[StepDefinition]) -> Any:
    index = _any_step(draw, steps)
    target = draw(st.sampled_from([index, index + 1, len(steps), 0xFFFF]))
    needs = [*steps[index].needs, target]
    return _replace(steps, index, needs=needs), Mutation(f"needs {target} at {index}", "DependencyNotEarlier")


def reference_outside_needs(draw: st.DrawFn, steps: list[StepDefinition]) -> Any:
    index = _any_step(draw, steps)
    outside = [p for p in range(len(steps) + 2) if p not in steps[index].needs] + [0x7FFF]
    position = draw(st.sampled_from(outside))
    data = bytes(steps[index].params) + _reference(position)
    return _replace(steps, index, params=data), Mutation(f"reference {position}", "ReferenceNotADependency")


def truncated_params(draw: st.DrawFn, steps: list[StepDefinition]) -> Any:
    """Cut the end off; only the last segment can break, so it stays valid or is MalformedParams."""
    index = _any_step(draw, steps, lambda i: len(steps[i].params) > 0)
    if index < 0:
        return None
    data = bytes(steps[index].params)
    cut = draw(st.integers(1, len(data)))
    return _replace(steps, index, params=data[:-cut]), Mutation(f"params cut by {cut}", "MalformedParams")


def broken_segment(draw: st.DrawFn, steps: list[StepDefinition]) -> Any:
    """A zero-length text segment, a lone header byte, or text shorter than its header says."""
    index = _any_step(draw, steps)
    segments = _segments(bytes(steps[index].params))
    at = draw(st.integers(0, len(segments)))
    kind = draw(st.sampled_from(["zero-length text", "half a header", "text overrun"]))
    if kind == "zero-length text":
        segments.insert(at, b"\x00\x00")
    elif kind == "half a header":
        segments.append(draw(st.sampled_from([b"\x00", b"\x80", b"\x7f"])))
    else:
        segments.append((draw(st.integers(2, 0x7FFF))).to_bytes(2, "big") + b"x")
    return _replace(steps, index, params=b"".join(segments)), Mutation(kind, "MalformedParams")


def split_text(draw: st.DrawFn, steps: list[StepDefinition]) -> Any:
    """Adjacent text segments, even splitting a UTF-8 character: valid, the chain concatenates them."""
    index = _any_step(draw, steps)
    segments = _segments(bytes(steps[index].params))
    texts = [k for k, s in enumerate(segments) if not s[0] & 0x80 and len(s) > 3]
    if not texts:
        return None
    k = draw(st.sampled_from(texts))
    payload = segments[k][2:]
    cut = draw(st.integers(1, len(payload) - 1))
    segments[k : k + 1] = [_text(payload[:cut]), _text(payload[cut:])]
    return _replace(steps, index, params=b"".join(segments)), Mutation("split text", None)


def module_name(draw: st.DrawFn, steps: list[StepDefinition]) -> Any:
    name = draw(st.sampled_from(TRICKY_MODULES))
    return _replace(steps, _any_step(draw, steps), module=name), Mutation(f"module {name!r}", "InvalidModule")


def duplicate_step_id(draw: st.DrawFn, steps: list[StepDefinition]) -> Any:
    if len(steps) < 2:
        return None
    first, second = sorted(draw(st.lists(st.integers(0, len(steps) - 1), min_size=2, max_size=2, unique=True)))
    moved = _replace(steps, second, stepId=steps[first].stepId)
    return moved, Mutation(f"step {second} takes the id of step {first}", "DuplicateStepId")


def largest_step_id(draw: st.DrawFn, steps: list[StepDefinition]) -> Any:
    if any(s.stepId == limits.MAX_STEP_ID for s in steps):
        return None
    return _replace(steps, _any_step(draw, steps), stepId=limits.MAX_STEP_ID), Mutation("step id 2^64-1", None)


def no_steps(draw: st.DrawFn, steps: list[StepDefinition]) -> Any:
    return [], Mutation("no steps", "EmptyWorkflow")


def long_params(draw: st.DrawFn, steps: list[StepDefinition]) -> Any:
    """Params padded to the limit or one byte past it, in one text segment or in many 1-byte segments."""
    index = _any_step(draw, steps)
    data = bytes(steps[index].params)
    target = limits.MAX_PARAMS_BYTES + draw(st.sampled_from([0, 1]))
    if len(data) + 3 > target:
        return None
    if draw(st.booleans()):
        padding = _text(b"x" * (target - len(data) - 2))
    else:
        threes, rest = divmod(target - len(data), 3)
        padding = _text(b"y") * (threes - rest) + _text(b"zz") * rest
    assert len(data + padding) == target
    return _replace(steps, index, params=data + padding), Mutation(f"params of {target} bytes", "ParamsTooLong")


def many_references(draw: st.DrawFn, steps: list[StepDefinition]) -> Any:
    index = _any_step(draw, steps, lambda i: len(steps[i].needs) >= 1)
    if index < 0:
        return None
    data = bytes(steps[index].params)
    try:
        existing = len(params.references(params_segments.decode(data, lambda p: p)))
    except EncodingError:
        return None  # an earlier mutation broke these params
    target = limits.MAX_REFERENCES + draw(st.sampled_from([0, 1]))
    if existing > target:
        return None
    position = draw(st.sampled_from(list(steps[index].needs)))
    data += _reference(position) * (target - existing)
    return _replace(steps, index, params=data), Mutation(f"{target} references", "TooManyReferences")


def huge_cost(draw: st.DrawFn, steps: list[StepDefinition]) -> Any:
    """The largest cost a step may have; with retries or other steps the deposit passes uint96."""
    index = _any_step(draw, steps)
    return _replace(steps, index, cost=UINT96_MAX), Mutation("cost 2^96-1", "DepositTooLarge")


MUTATORS: list[Mutator] = [
    zero_cost,
    retries,
    timeout,
    needs_swapped,
    needs_repeated,
    needs_not_earlier,
    reference_outside_needs,
    truncated_params,
    broken_segment,
    split_text,
    module_name,
    module_name,
    duplicate_step_id,
    largest_step_id,
    no_steps,
    long_params,
    many_references,
    huge_cost,
]


@st.composite
def mutated_definitions(
    draw: st.DrawFn, first: Mutator | None = None, extra: int = 2
) -> tuple[list[StepDefinition], list[Mutation]]:
    """A valid workflow's definitions after `first` (when given) and up to `extra` random mutations."""
    generated: GeneratedWorkflow = draw(workflows)
    steps = encoding.encode(spec.load(generated.document))
    mutators = [first] if first else []
    mutators += [draw(st.sampled_from(MUTATORS)) for _ in range(draw(st.integers(0, extra)))]
    applied: list[Mutation] = []
    for mutator in mutators:
        result = mutator(draw, steps) if steps else None
        if result is not None:
            steps, mutation = result
            applied.append(mutation)
        elif mutator is first:
            assume(False)  # not applicable to this workflow (say, no step with two needs): draw another
    return steps, applied


# ---------------------------------------------------------------------------------------------- properties


def check_parity(onchain: Chain, steps: list[StepDefinition], mutations: list[Mutation]) -> str | None:
    """Both sides agree; the chain's error is one the mutations may cause. Returns the chain's error."""
    accepted, why = python_accepts(steps)
    error = onchain.submit_error(steps)
    story = f"mutations {[m.name for m in mutations]}"
    assert accepted == (error is None), (
        f"Python {'accepts' if accepted else 'refuses'} ({why}), chain: {error}; {story}"
    )
    if error is not None:
        possible = {m.error for m in mutations}
        assert error in possible, f"chain refused with {error}, expected one of {sorted(map(str, possible))}; {story}"
    if accepted:
        assert onchain.required_deposit(steps) == encoding.decode(steps).required_deposit_wei
    return error


SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("mutator", list(dict.fromkeys(MUTATORS)), ids=lambda m: m.__name__)
@settings(SETTINGS, max_examples=10)
@given(data=st.data())
def test_each_mutation_keeps_python_and_chain_in_agreement(onchain: Chain, mutator: Mutator, data: Any) -> None:
    steps, mutations = data.draw(mutated_definitions(first=mutator, extra=1))
    event(f"chain: {check_parity(onchain, steps, mutations) or 'accepted'}")


@settings(SETTINGS, max_examples=100)
@given(mutated_definitions())
def test_python_and_chain_accept_the_same_definitions(
    onchain: Chain, case: tuple[list[StepDefinition], list[Mutation]]
) -> None:
    steps, mutations = case
    event(f"chain: {check_parity(onchain, steps, mutations) or 'accepted'}")


@pytest.mark.parametrize("name", TRICKY_MODULES, ids=repr)
def test_module_names_parity(onchain: Chain, name: str) -> None:
    steps = [StepDefinition(1, 1, 0, 0, [], name, b"")]
    check_parity(onchain, steps, [Mutation(f"module {name!r}", "InvalidModule")])


def test_regression_module_name_with_trailing_newline(onchain: Chain) -> None:
    """Found by this file: spec.MODULE_NAME used to end in `$`, which Python's `re` also matches just before
    a final newline, so the validator accepted "cowsay:v0.0.1\\n" and the submit reverted (InvalidModule)."""
    steps = [StepDefinition(1, 1, 0, 0, [], "cowsay:v0.0.1\n", b"")]
    assert onchain.submit_error(steps) == "InvalidModule"
    with pytest.raises(WorkflowInvalid):
        spec.from_document(document_of(encoding.decode(steps)))


def test_regression_deposit_past_uint96(onchain: Chain) -> None:
    """Found by this file: every cost fits uint96 (MAX_COST_WEI) but the required deposit, cost x (1 + retries)
    summed over the steps, does not; the validator used to accept it and the submit reverted (DepositTooLarge)."""
    steps = [StepDefinition(1, UINT96_MAX, 0, 1, [], "cowsay:v0.0.1", b"")]
    assert onchain.submit_error(steps) == "DepositTooLarge"
    with pytest.raises(WorkflowInvalid):
        spec.from_document(document_of(encoding.decode(steps)))
