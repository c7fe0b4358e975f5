"""A workflow laid out for the Lilypad its registry speaks: what each step sends as module, params and timeout.

- Lilypad v1 (Modicum): as the file says. A step's `inputs` go as one JSON object string in its params
  (`{"Message": "hi <CID>"}`), which the spec reader already made them.
- Lilypad v2 (the on-chain job creator): a step's params are its inputs as `Key=Value` elements joined by
  the byte 0x1e, which `LilypadV2Registry` splits into `runJob`'s `string[] inputs` once references are
  resolved. A step with only `params` passes them as its module's main input, under the module's v2 name
  (`tinyhops.encoding.v2_modules`). Lilypad v2 sends no failure callback, so expiry is a job's only failure
  path: a step without a timeout gets `V2_DEFAULT_TIMEOUT`; a timeout the file gives is kept.
"""

from __future__ import annotations

import json
from dataclasses import replace

from tinyhops import errors
from tinyhops.encoding import params_segments
from tinyhops.encoding.v2_modules import MODULES, V2Module, v2_name
from tinyhops.errors import EncodingError, Problem, WorkflowInvalid
from tinyhops.spec import inputs, limits
from tinyhops.spec.model import Step, Workflow
from tinyhops.spec.params import Ref, Segment, Text

V1, V2 = "v1", "v2"
BACKENDS = (V1, V2)
# Lilypad's own job creator gives a job 7,200 s in all (match, run, download); an hour more covers the
# service seeing the JobAdded event and its submitResults transaction being mined.
V2_DEFAULT_TIMEOUT = 3 * 60 * 60


def for_backend(workflow: Workflow, backend: str, source: str = "<workflow>") -> Workflow:
    """`workflow` as the registry of `backend` is sent it. Raises WorkflowInvalid naming every step that
    cannot travel there (with its JSON path), EncodingError for an unknown backend."""
    if backend not in BACKENDS:
        raise EncodingError(f"unknown Lilypad backend {backend!r}: v1 or v2")
    if workflow.backend == backend:
        return workflow
    if workflow.backend is not None:
        raise EncodingError(f"a workflow laid out for Lilypad {workflow.backend} cannot be laid out for {backend}")
    if backend == V1:
        return replace(workflow, backend=V1)
    steps: list[Step] = []
    problems: list[Problem] = []
    for step in workflow.steps:
        try:
            steps.append(_v2_step(step))
        except _Unfit as unfit:
            where = f"{step.path}.stepModule.{unfit.field}"
            problems.append(Problem(errors.BAD_INPUT, where, str(unfit), step.step_id))
    if problems:
        raise WorkflowInvalid(source, problems)
    return replace(workflow, steps=tuple(steps), backend=V2)


class _Unfit(Exception):
    """A step that cannot be sent to Lilypad v2 as written; `field` is where in its stepModule."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def _v2_step(step: Step) -> Step:
    if step.inputs is not None:
        segments = inputs.as_v2_segments(step.inputs)
        where = "inputs"
    else:
        segments = _params_as_inputs(step)
        where = "params"
    size = params_segments.encoded_length(segments)
    if size > limits.MAX_PARAMS_BYTES:
        raise _Unfit(where, f"on Lilypad v2 the inputs encode to {size} bytes; at most {limits.MAX_PARAMS_BYTES}")
    return replace(step, module=v2_name(step.module), params=segments, timeout=step.timeout or V2_DEFAULT_TIMEOUT)


def _params_as_inputs(step: Step) -> tuple[Segment, ...]:
    """A params-only step's inputs on v2: none for empty params, else the module's main input (or, for a
    module whose table entry names JSON fields, one input per field of params that are such a JSON object)."""
    if not step.params:
        return ()
    module = MODULES.get(step.module)
    if module is None:
        raise _Unfit(
            "params",
            f"module {step.module!r} has no main input known for Lilypad v2 (tinyhops/encoding/v2_modules.py): "
            "give its stepModule.inputs instead of params",
        )
    fields = _json_fields(step.params, module)
    if fields is not None:
        return inputs.as_v2_segments((key, (Text(value),)) for key, value in fields)
    for segment in step.params:
        if isinstance(segment, Text) and (reason := inputs.value_problem(segment.value)):
            raise _Unfit("params", f"on Lilypad v2 the params are the input {module.primary}, and {reason}")
    return inputs.merged((Text(f"{module.primary}{inputs.KEY_VALUE}"), *step.params))


def _json_fields(segments: tuple[Segment, ...], module: V2Module) -> list[tuple[str, str]] | None:
    """The inputs of params that are a JSON object of only the module's fields (strings or whole numbers, no
    references), or None when the params are not such an object."""
    if not module.fields or len(segments) != 1 or isinstance(segments[0], Ref):
        return None
    try:
        fields = json.loads(segments[0].value)
    except ValueError:
        return None
    if not isinstance(fields, dict) or not fields or not set(fields) <= set(module.fields):
        return None
    found = []
    for key, value in fields.items():
        if isinstance(value, bool) or not isinstance(value, str | int):
            return None
        text = str(value)
        if reason := inputs.value_problem(text):
            raise _Unfit("params", f"on Lilypad v2 the params' {key!r} is the input {module.fields[key]}, and {reason}")
        found.append((module.fields[key], text))
    return found
