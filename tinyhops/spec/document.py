"""Reading a `.thops.json` workflow: load, validate (schema and meaning, every problem at once) and normalize
into a DAG. A valid document takes the fast path (jsonschema-rs says yes, the meaning is checked, the DAG
built); only a rejected one is explained (`schema_messages`), its well-formed parts still checked for meaning.

Dependencies of a step are its `needs`, the steps its params reference and, for a step without a
`needs` key, every step of the entry before it (the original format's levels). The normalized
workflow lists steps in a deterministic topological order: among steps that are ready together,
the one written first in the file comes first.
"""

from __future__ import annotations

import difflib
import graphlib
import heapq
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tinyhops import errors
from tinyhops.encoding import params_segments
from tinyhops.errors import Problem, WorkflowInvalid, json_path
from tinyhops.gc_pause import collector_paused
from tinyhops.spec import inputs, json_safety, json_text, keeper, limits, params, step_ids
from tinyhops.spec import parameters as parameters_
from tinyhops.spec.model import MODULE_NAME, Output, Step, Workflow
from tinyhops.spec.units import parse_cost

# Installed, the wheel carries the schema beside this module; in a checkout it is read from schemas/.
_SHIPPED_SCHEMA = Path(__file__).resolve().parent / "thops.schema.json"
_CHECKOUT_SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "thops.schema.json"
SCHEMA_PATH = _SHIPPED_SCHEMA if _SHIPPED_SCHEMA.is_file() else _CHECKOUT_SCHEMA


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


@cache
def _validator() -> Any:
    """The Python validator (jsonschema): imported only to explain a rejection, or to judge what the compiled
    validator cannot take."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


@cache
def _compiled_validator() -> Any:
    """The same schema compiled by jsonschema-rs (Rust): a yes/no answer a hundred times faster. Formats are
    annotations only, as for the Python validator."""
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(schema(), validate_formats=False)


def schema_accepts(document: Any) -> bool:
    """Whether the document is valid against the schema. The compiled validator answers; what it cannot
    take (a value JSON has no type for) is left to the Python validator, which also explains every
    rejection (its paths and messages are the ones users read)."""
    try:
        return bool(_compiled_validator().is_valid(document))
    except Exception:  # noqa: BLE001 - anything jsonschema-rs refuses to convert is the slow path's to judge
        return not any(True for _ in _validator().iter_errors(document))


def load(source: str | Path | Any, *, name: str | None = None, parameters: Mapping[str, Any] | None = None) -> Workflow:
    """Load a workflow from a file path (str or Path) or a parsed document, its parameters given `parameters`
    (values, or text such as `--param` gives: `tinyhops.spec.parameters`). Raises WorkflowInvalid."""
    if not isinstance(source, str | Path):
        return from_document(source, name=name or "<workflow>", parameters=parameters)
    path = Path(source)
    label = name or str(source)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _unreadable(label, "no such file") from None
    except IsADirectoryError:
        raise _unreadable(label, "is a directory, not a workflow file") from None
    except UnicodeDecodeError as exc:
        raise _unreadable(label, f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise _unreadable(label, exc.strerror or "cannot be read") from None
    except ValueError:  # the name has a NUL character: no operating system has such a file
        raise _unreadable(label.replace("\0", "\\0"), "not a file name (it has a NUL character)") from None
    if json_safety.nesting(text) > json_safety.MAX_NESTING:
        raise _unreadable(label, f"JSON nested too deeply (more than {json_safety.MAX_NESTING} levels)")
    try:
        document, text_problems = json_text.read(text)
    except ValueError as exc:  # an integer of more than 4300 digits: Python's int-from-string limit
        raise _unreadable(label, f"invalid JSON: {str(exc).split(';')[0]}") from None
    if text_problems:  # a syntax error, or trailing commas read past: then with everything else the document has
        found = problems(document, parameters) if document is not None else []
        raise WorkflowInvalid(label, [*text_problems, *found])
    return from_document(document, name=label, parameters=parameters)


def _unreadable(label: str, message: str) -> WorkflowInvalid:
    return WorkflowInvalid(label, [Problem(errors.UNREADABLE, "", message)])


def from_document(document: Any, *, name: str = "<workflow>", parameters: Mapping[str, Any] | None = None) -> Workflow:
    """Validate a parsed document against the schema and its meaning, with its parameters given `parameters`
    (resolved first: `tinyhops.spec.parameters`); return the normalized DAG. Raises WorkflowInvalid with every
    problem found: schema, parameters and meaning alike, wherever a part is well-formed."""
    if not json_safety.surrogate_problems(document) and schema_accepts(document):  # the fast path
        with collector_paused():
            resolved, values, found = parameters_.resolve(document, parameters)
            analysis = _analyse(resolved, trusted=True)
            if found or analysis.problems:
                raise WorkflowInvalid(name, sorted([*found, *analysis.problems], key=_document_order))
            return _build(resolved, analysis, values)
    raise WorkflowInvalid(name, problems(document, parameters))


def problems(document: Any, parameters: Mapping[str, Any] | None = None) -> list[Problem]:
    """Every problem of a parsed document with its parameters given `parameters`, in document order: text that
    is not Unicode, schema violations in words, parameters, and what the steps mean (ids, needs, references,
    cycles, costs, modules, limits), checked on every part well-formed enough to check. Empty for a valid
    document."""
    found = json_safety.surrogate_problems(document)
    if not found and schema_accepts(document):
        resolved, _, found = parameters_.resolve(document, parameters)
        return sorted([*found, *_analyse(resolved, trusted=True).problems], key=_document_order)
    from tinyhops.spec import schema_messages

    found += schema_messages.explain(_validator().iter_errors(document), _step_finder(document))
    flagged = frozenset(p.path for p in found)
    resolved, _, parameter_problems = parameters_.resolve(document, parameters)
    found += [p for p in parameter_problems if p.path not in flagged]
    found += _analyse(resolved, flagged).problems
    return sorted(found, key=_document_order)


def schema_problems(document: Any) -> list[Problem]:
    """Every schema violation in words (see `schema_messages`), in document order."""
    if schema_accepts(document):
        return []
    from tinyhops.spec import schema_messages

    found = schema_messages.explain(_validator().iter_errors(document), _step_finder(document))
    return sorted(found, key=_document_order)


def _step_finder(document: Any) -> Callable[[tuple[str | int, ...]], int | str | None]:
    """For a path, the id of the step it lies in as the file writes it (when that step has a readable id)."""
    steps = {raw.path: raw.who for raw in _flatten(document)}
    return lambda parts: steps[parts[:3]] if parts[:3] in steps else steps.get(parts[:2])


_PATH_PARTS = re.compile(r"[\[\].]")


def _document_order(problem: Problem) -> tuple[Any, ...]:
    """Sort key: problems of the file itself first, then by JSON path with indices compared as numbers."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in _PATH_PARTS.split(problem.path) if p)


@dataclass(slots=True)
class _RawStep:
    step_id: int | None  # None when the id is not one (the schema says so)
    path: tuple[str | int, ...]
    entry: int
    order: int
    body: Mapping[str, Any]
    explicit_needs: tuple[int, ...] | None
    segments: tuple[params.Segment, ...] = ()
    references: tuple[int, ...] = ()  # the step ids its params reference, in order, repeats included
    inputs: tuple[inputs.Input, ...] | None = None  # its `stepModule.inputs`, when well-formed
    cost_wei: int = 0

    @property
    def who(self) -> int | str | None:
        """The step's id as the file writes it (its name, or its number), for problems."""
        return step_ids.label(self.body.get("stepId")) if self.step_id is not None else None


@dataclass
class _Analysis:
    raw: list[_RawStep]
    by_id: dict[int, _RawStep]
    deps: dict[int, set[int]]
    order: list[int]
    problems: list[Problem]


def _analyse(document: Any, flagged: frozenset[str] = frozenset(), *, trusted: bool = False) -> _Analysis:
    """What the steps mean: ids, needs, references, modules, costs, cycles and limits. Tolerates any document
    shape: a part that is not well-formed is left to the schema (and `flagged` names the paths the schema or
    the Unicode check already reported, so no value is judged twice). `trusted`: the schema accepted the
    document, so its shape need not be checked again (the fast path)."""
    problems: list[Problem] = []
    raw = _flatten_valid(document["steps"]) if trusted else _flatten(document)
    by_id: dict[int, _RawStep] = {}
    for step in raw:
        if step.step_id is None:
            continue
        if step.step_id <= limits.MAX_STEP_ID and step.step_id not in by_id:
            by_id[step.step_id] = step
            continue
        where = json_path(step.path)
        if step.step_id > limits.MAX_STEP_ID:
            problems.append(Problem(errors.LIMIT, f"{where}.stepId", f"step id exceeds {limits.MAX_STEP_ID}"))
        if step.step_id in by_id:
            problems.append(
                Problem(errors.DUPLICATE_ID, f"{where}.stepId", _duplicate(step, by_id[step.step_id]), step.who)
            )
        else:
            by_id[step.step_id] = step
    if len(raw) > limits.MAX_STEPS:
        problems.append(Problem(errors.LIMIT, "$.steps", f"{len(raw)} steps; at most {limits.MAX_STEPS} are allowed"))

    declared = frozenset(parameters_.declared(document)) if isinstance(document, dict) else frozenset()
    for step in raw:
        problems.extend(_step_problems(step, by_id, flagged, declared))

    entries: dict[int, list[int]] = {}
    for step in raw:
        if step.step_id is not None:
            entries.setdefault(step.entry, []).append(step.step_id)
    deps: dict[int, set[int]] = {step_id: set() for step_id in by_id}
    for step in raw:
        if step.step_id is None or by_id.get(step.step_id) is not step:
            continue
        wanted = set(step.references)
        if step.explicit_needs is not None:
            wanted.update(step.explicit_needs)
        elif step.entry > 0:
            wanted.update(entries.get(step.entry - 1, ()))
        wanted.discard(step.step_id)
        if not wanted <= by_id.keys():
            wanted = {d for d in wanted if d in by_id}
        deps[step.step_id] = wanted
        if len(wanted) > limits.MAX_NEEDS:
            problems.append(
                Problem(
                    errors.LIMIT,
                    json_path(step.path),
                    f"depends on {len(wanted)} steps; at most {limits.MAX_NEEDS} are allowed",
                    step.step_id,
                )
            )

    order = _topological_order(deps, by_id, problems)
    if trusted:  # int(): JSON Schema's "integer" also admits integer-valued floats such as 5.0
        required = sum(s.cost_wei * (1 + int(s.body.get("retries", 0))) for s in raw)
    else:
        required = sum(s.cost_wei * (1 + _retries(s.body.get("retries"))) for s in raw)
    if required > limits.MAX_DEPOSIT_WEI:
        problems.append(
            Problem(
                errors.LIMIT,
                "$.steps",
                f"paying every attempt needs {required} wei; the registry holds at most "
                f"{limits.MAX_DEPOSIT_WEI} wei per workflow",
            )
        )
    if isinstance(document, Mapping) and isinstance(document.get("keeper"), Mapping):
        problems.extend(p for p in keeper.keeper_problems(document) if p.path not in flagged)
    return _Analysis(raw, by_id, deps, order, problems)


def _duplicate(step: _RawStep, first: _RawStep) -> str:
    """Why a step's id is taken: the same id written twice, or two ways of writing it that meet on chain."""
    at = json_path(first.path)
    mine, theirs = step.who, first.who
    if mine == theirs:
        return f"step id {_shown(mine)} is already used at {at}"
    rule = "(a named step's id is uint64(bytes8(keccak256(name)))): rename one of them"
    if isinstance(mine, str):
        return f"step {mine!r} has the on-chain id {step.step_id}, as has step {_shown(theirs)} at {at} {rule}"
    return f"step id {mine} is the on-chain id of step {theirs!r} at {at} {rule}"


def _shown(who: int | str | None) -> str:
    return repr(who) if isinstance(who, str) else str(who)


def _build(document: Mapping[str, Any], analysis: _Analysis, values: Mapping[str, Any]) -> Workflow:
    """The normalized workflow of a document with no problem."""
    position = {step_id: i for i, step_id in enumerate(analysis.order)}
    steps = tuple(
        _build_step(analysis.by_id[i], tuple(sorted(analysis.deps[i], key=position.__getitem__)))
        for i in analysis.order
    )
    return Workflow(
        steps=steps,
        version=document["version"],
        name=document.get("name"),
        description=document.get("description"),
        parameters=dict(values),
        runner=bool(document.get("runner", False)),
        keeper=keeper.keeper_budget(document),
    )


_step_id = step_ids.parse


def _retries(value: Any) -> int:
    if type(value) in (int, float) and value == int(value) and 0 <= value <= limits.MAX_RETRIES:
        return int(value)
    return 0


def _flatten_valid(entries: list[Any]) -> list[_RawStep]:
    """`_flatten` of a document the schema accepted: the same steps, without checking their shape."""
    raw: list[_RawStep] = []
    for entry_index, entry in enumerate(entries):
        members = (
            [(("steps", entry_index), entry)]
            if isinstance(entry, dict)
            else [(("steps", entry_index, j), item) for j, item in enumerate(entry)]
        )
        for path, body in members:
            needs = body.get("needs")
            raw.append(
                _RawStep(
                    step_id=_step_id(body["stepId"]),
                    path=path,
                    entry=entry_index,
                    order=len(raw),
                    body=body,
                    explicit_needs=None if needs is None else tuple(map(_step_id, needs)),
                )
            )
    return raw


def _flatten(document: Any) -> list[_RawStep]:
    """Every step of the document that is an object, wherever it is; nothing if there is no list of steps."""
    entries = document.get("steps") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        return []
    raw: list[_RawStep] = []
    for entry_index, entry in enumerate(entries):
        if isinstance(entry, dict):
            members: list[tuple[tuple[str | int, ...], Any]] = [(("steps", entry_index), entry)]
        elif isinstance(entry, list):
            members = [(("steps", entry_index, j), item) for j, item in enumerate(entry)]
        else:
            continue
        for path, body in members:
            if not isinstance(body, dict):
                continue
            needs = body.get("needs")
            if needs is None:
                explicit = None
            elif isinstance(needs, list):
                explicit = tuple(i for i in map(_step_id, needs) if i is not None)
            else:
                explicit = ()  # not a list: the schema says so; the step is taken as having no needs
            raw.append(
                _RawStep(
                    step_id=_step_id(body.get("stepId")),
                    path=path,
                    entry=entry_index,
                    order=len(raw),
                    body=body,
                    explicit_needs=explicit,
                )
            )
    return raw


class _LazyPath:
    """A JSON path rendered only when a problem's message is formatted (most steps have none)."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[str | int, ...]) -> None:
        self.parts = parts

    def __format__(self, _spec: str) -> str:
        return json_path(self.parts)


def _step_problems(
    step: _RawStep, by_id: Mapping[int, _RawStep], flagged: frozenset[str], declared: frozenset[str]
) -> list[Problem]:
    found: list[Problem] = []
    sid = step.step_id
    where = _LazyPath(step.path)
    module = step.body.get("stepModule")
    if not isinstance(module, dict):
        module = {}
    cmd = module.get("cmd")
    if not isinstance(cmd, str) or (flagged and f"{where}.stepModule.cmd" in flagged):
        pass
    elif not MODULE_NAME.fullmatch(cmd):
        found.append(
            Problem(
                errors.BAD_MODULE,
                f"{where}.stepModule.cmd",
                "the module name is empty; it must be name:version, such as cowsay:v0.0.1"
                if not cmd.strip()
                else f"module {cmd!r} must be name:version, such as cowsay:v0.0.1",
                step.who,
            )
        )
    elif len(cmd.encode()) > limits.MAX_MODULE_BYTES:
        found.append(
            Problem(
                errors.LIMIT,
                f"{where}.stepModule.cmd",
                f"module name is longer than {limits.MAX_MODULE_BYTES} bytes",
                step.who,
            )
        )
    if "cost" in module and not (flagged and f"{where}.stepModule.cost" in flagged):
        try:
            step.cost_wei = parse_cost(module["cost"])
        except errors.CostError as exc:
            found.append(Problem(errors.BAD_COST, f"{where}.stepModule.cost", str(exc), step.who))
    template = module.get("params")
    if isinstance(template, str) and not (flagged and f"{where}.stepModule.params" in flagged):
        found.extend(_params_problems(step, template, by_id, where, declared))
    named = module.get("inputs")
    if isinstance(named, dict) and not isinstance(template, str):
        found.extend(_inputs_problems(step, named, by_id, where, flagged, declared))
    for index, need in enumerate(step.explicit_needs or ()):
        if need == sid or need not in by_id:
            written = [step_ids.label(n) for n in step.body["needs"] if _step_id(n) is not None][index]
            found.extend(_target_problems(step, need, written, f"{where}.needs[{index}]", "needs", by_id))
    return found


def _parameter_problems(
    step: _RawStep, segments: tuple[params.Segment, ...], where: str, declared: frozenset[str]
) -> list[Problem] | None:
    """A `{{param:NAME}}` left after resolving: a problem for a name the workflow does not declare; nothing more
    for one it declares (its value is missing or wrong, reported at $.parameters). None when there is none."""
    left = params.parameters(segments)
    if not left:
        return None
    return [
        Problem(
            errors.BAD_PARAMETER,
            where,
            f"{{{{param:{name}}}}} names no parameter the workflow declares in $.parameters"
            + (f" (declared: {', '.join(sorted(declared))})" if declared else ""),
            step.who,
        )
        for name in dict.fromkeys(left)
        if name not in declared
    ]


def _params_problems(
    step: _RawStep, template: str, by_id: Mapping[int, _RawStep], at: _LazyPath, declared: frozenset[str]
) -> list[Problem]:
    """Problems of a step's params template; `at` is the step's path, rendered only when there is one."""
    sid = step.step_id
    try:
        segments = params.parse(template)
    except errors.TemplateError as exc:
        return [Problem(errors.BAD_TEMPLATE, f"{at}.stepModule.params", str(exc), step.who)]
    if (left := _parameter_problems(step, segments, f"{at}.stepModule.params", declared)) is not None:
        return left
    step.segments = segments
    found: list[Problem] = []
    step.references = refs = tuple(params.references(step.segments))
    if len(refs) > limits.MAX_REFERENCES:
        message = f"{len(refs)} references; at most {limits.MAX_REFERENCES} are allowed"
        found.append(Problem(errors.LIMIT, f"{at}.stepModule.params", message, step.who))
    size = params_segments.encoded_length(step.segments)
    if size > limits.MAX_PARAMS_BYTES:
        message = f"params encode to {size} bytes; at most {limits.MAX_PARAMS_BYTES} are allowed"
        found.append(Problem(errors.LIMIT, f"{at}.stepModule.params", message, step.who))
    for ref in dict.fromkeys(refs):
        if ref == sid or ref not in by_id:
            written = _written(step.segments, ref)
            found.extend(_target_problems(step, ref, written, f"{at}.stepModule.params", "params reference", by_id))
    return found


def _inputs_problems(
    step: _RawStep,
    named: Mapping[str, Any],
    by_id: Mapping[int, _RawStep],
    at: _LazyPath,
    flagged: frozenset[str],
    declared: frozenset[str],
) -> list[Problem]:
    """Problems of a step's `inputs`: names a module cannot read, values the job creator would drop or split
    wrongly (`tinyhops.spec.inputs`), references and limits as for params. Well-formed inputs become the step's
    `inputs`, and its params the JSON object string Lilypad v1 is sent."""
    sid = step.step_id
    found: list[Problem] = []
    parsed: list[inputs.Input] = []
    for key, value in named.items():
        where = f"{at}.stepModule.inputs" + json_path([key])[1:]
        reason = inputs.key_problem(key)
        if reason is not None:
            found.append(Problem(errors.BAD_INPUT, where, reason, step.who))
        if not isinstance(value, str) or (flagged and where in flagged):
            continue  # not a string: the schema says so
        reason = inputs.value_problem(value)
        if reason is not None:
            found.append(Problem(errors.BAD_INPUT, where, reason, step.who))
            continue
        try:
            segments = params.parse(value)
        except errors.TemplateError as exc:
            found.append(Problem(errors.BAD_TEMPLATE, where, str(exc), step.who))
            continue
        if (left := _parameter_problems(step, segments, where, declared)) is not None:
            found.extend(left)
            continue
        parsed.append((key, segments))
    step.references = tuple(ref for _, value in parsed for ref in params.references(value))
    for key, value in parsed:
        for ref in dict.fromkeys(params.references(value)):
            if ref == sid or ref not in by_id:
                where = f"{at}.stepModule.inputs" + json_path([key])[1:]
                found.extend(_target_problems(step, ref, _written(value, ref), where, "the input references", by_id))
    if len(step.references) > limits.MAX_REFERENCES:
        message = f"{len(step.references)} references; at most {limits.MAX_REFERENCES} are allowed"
        found.append(Problem(errors.LIMIT, f"{at}.stepModule.inputs", message, step.who))
    if len(parsed) < len(named):
        return found
    step.inputs = tuple(parsed)
    step.segments = inputs.as_json_segments(step.inputs)
    size = params_segments.encoded_length(step.segments)
    if size > limits.MAX_PARAMS_BYTES:
        message = f"inputs encode to {size} bytes; at most {limits.MAX_PARAMS_BYTES} are allowed"
        found.append(Problem(errors.LIMIT, f"{at}.stepModule.inputs", message, step.who))
    return found


def _written(segments: tuple[params.Segment, ...], step_id: int) -> int | str:
    """How a template writes its reference to `step_id`: the step's name, or its number."""
    ref = next(s for s in segments if isinstance(s, params.Ref) and s.step_id == step_id)
    return ref.name if ref.name is not None else step_id


def _target_problems(
    step: _RawStep, target: int, written: int | str | None, where: str, what: str, by_id: Mapping[int, _RawStep]
) -> list[Problem]:
    if target == step.step_id:
        message = f"{what} step {_shown(written)}, which is this step itself"
        return [Problem(errors.SELF_REFERENCE, where, message, step.who)]
    if target not in by_id:
        message = f"{what} step {_shown(written)}, but no step has that id"
        if isinstance(written, str):
            names = [s.who for s in by_id.values() if isinstance(s.who, str)]
            close = difflib.get_close_matches(written, names, n=1)
            message += f"; did you mean {close[0]!r}?" if close else ""
        return [Problem(errors.UNKNOWN_STEP, where, message, step.who)]
    return []


def _topological_order(
    deps: Mapping[int, set[int]], by_id: Mapping[int, _RawStep], problems: list[Problem]
) -> list[int]:
    """Steps in dependency order, the one written first in the file first among those ready together. A
    graph with a cycle is the standard library's sorter's to name (its CycleError gives the cycle)."""
    order = _ordered_without_cycles(deps, by_id)
    if order is not None:
        return order
    sorter = graphlib.TopologicalSorter(deps)
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        cycle = exc.args[1][:-1]  # each node a dependency of the next; the first repeated at the end
        start = min(cycle, key=lambda n: by_id[n].order)
        turn = cycle.index(start)
        cycle = cycle[turn:] + cycle[:turn]
        names = " -> ".join(str(by_id[n].who) for n in [*cycle, cycle[0]])
        hint = ""
        if any(by_id[n].explicit_needs is None and by_id[n].entry > 0 for n in cycle):
            hint = (
                ' (a step without "needs" waits for every step of the entry before it;'
                ' add "needs": [] to make it a root)'
            )
        problem = Problem(
            errors.CYCLE, json_path(by_id[start].path), f"dependency cycle {names}{hint}", by_id[start].who
        )
        problems.append(problem)
        return []
    ready: list[tuple[int, int]] = []
    order: list[int] = []
    while sorter.is_active():
        for node in sorter.get_ready():
            heapq.heappush(ready, (by_id[node].order, node))
        _, node = heapq.heappop(ready)
        order.append(node)
        sorter.done(node)
    return order


def _ordered_without_cycles(deps: Mapping[int, set[int]], by_id: Mapping[int, _RawStep]) -> list[int] | None:
    """Kahn's algorithm with a heap over file order (what graphlib's sorter with that heap gives, at a
    third of the cost); None when a cycle leaves steps unordered."""
    file_order = {step_id: raw.order for step_id, raw in by_id.items()}
    waiting: dict[int, int] = {}
    dependents: dict[int, list[int]] = {}
    ready: list[tuple[int, int]] = []
    for node, needs in deps.items():
        waiting[node] = len(needs)
        if not needs:
            ready.append((file_order[node], node))
        for need in needs:
            dependents.setdefault(need, []).append(node)
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        node = heapq.heappop(ready)[1]
        order.append(node)
        for dependent in dependents.get(node, ()):
            waiting[dependent] -= 1
            if not waiting[dependent]:
                heapq.heappush(ready, (file_order[dependent], dependent))
    return order if len(order) == len(deps) else None


def _build_step(raw: _RawStep, needs: tuple[int, ...]) -> Step:
    body = raw.body
    outputs = body.get("outputs")
    return Step(
        step_id=raw.step_id,
        module=body["stepModule"]["cmd"],
        params=raw.segments,
        cost_wei=raw.cost_wei,
        needs=needs,
        # int(): JSON Schema's "integer" also admits integer-valued floats such as 5.0
        timeout=int(body.get("timeout", 0)),
        retries=int(body.get("retries", 0)),
        id_name=body["stepId"] if step_ids.is_name(body["stepId"]) else None,
        cacheable=body.get("cacheable") is True,
        cacheable_given="cacheable" in body,
        name=body.get("stepName"),
        description=body.get("stepDesc"),
        outputs=tuple(Output(o["name"], o.get("mediaType"), o.get("description")) for o in outputs) if outputs else (),
        path=json_path(raw.path),
        inputs=raw.inputs,
    )
