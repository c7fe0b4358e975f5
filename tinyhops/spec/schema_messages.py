"""Schema violations in words: each jsonschema error becomes problems that name a JSON path and say what the
value must look like, never a regular expression; an unknown property suggests the known one it resembles.

Only the explaining path imports this (a document the compiled validator rejected).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable
from typing import Any

from tinyhops import errors
from tinyhops.errors import CostError, Problem, json_path
from tinyhops.spec.units import COST_FORM, parse_cost

Parts = tuple[str | int, ...]
StepOf = Callable[[Parts], int | None]

_TYPES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}
STEP_ID_FORM = (
    'a step id is a whole number, 0 or more (a JSON number 1 or a string of digits "1"), or a name: '
    'a letter or _ then up to 99 letters, digits, _, - or . ("fetch-data")'
)
_FORMS = {
    "version": 'the format version looks like "v0.0.1" (three numbers separated by dots, "v" optional)',
    "mediaType": 'a media type looks like "text/plain" or "image/png" (type/subtype)',
    "stepId": STEP_ID_FORM,
    "needs": STEP_ID_FORM,
}


def show(value: Any) -> str:
    """A value as JSON, short and on one line (`"-1"`, `6`, `true`, `an array`)."""
    if isinstance(value, list):
        return "an empty array" if not value else "an array"
    if isinstance(value, dict):
        return "an empty object" if not value else "an object"
    if isinstance(value, str) and len(value) > 40:
        value = value[:37] + "..."
    text = json.dumps(value, ensure_ascii=False)
    text = text if text.isprintable() else json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."  # a number of thousands of digits, an escaped string


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return show(value)
    if isinstance(value, int | float):
        return f"the number {show(value)}"
    if isinstance(value, str):
        return f"the string {show(value)}"
    return show(value)


def _field(error: Any) -> str | None:
    """The property of the schema whose rule the error broke (`cost`, `stepId`, ...)."""
    schema_path = list(error.relative_schema_path)
    names = [part for before, part in zip(schema_path, schema_path[1:], strict=False) if before == "properties"]
    return str(names[-1]) if names else None


def _cost_message(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return f'must be an amount such as "5" or "3 gwei" (a string or a number), not {_kind(value)}'
    try:
        parse_cost(value)
    except CostError as exc:
        return str(exc)
    return f"cost {show(value)} is not an amount: {COST_FORM}"  # pragma: no cover - the schema and parse_cost agree


def _message(error: Any) -> str:
    value, rule, field = error.instance, error.validator, _field(error)
    if field == "cost":
        return _cost_message(value)
    if field in _FORMS and rule in ("oneOf", "pattern"):
        return f"{_FORMS[field]}; not {show(value)}"
    schema_path = list(error.relative_schema_path)
    if rule == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        if schema_path[-2:] == ["else", "type"] and field == "steps":
            return (
                f"an entry of steps is a step (an object) or a parallel group (an array of steps), not {_kind(value)}"
            )
        return f"must be {' or '.join(_TYPES.get(t, t) for t in wanted)}, not {_kind(value)}"
    if rule == "minimum":
        return f"must be at least {error.validator_value}, not {show(value)}"
    if rule == "maximum":
        return f"must be at most {error.validator_value}, not {show(value)}"
    if rule == "exclusiveMinimum":
        return f"must be more than {error.validator_value}, not {show(value)}"
    if rule == "minItems":
        if field == "steps":
            return (
                "a parallel group needs at least one step"
                if schema_path[-2:] == ["then", "minItems"]
                else ("a workflow needs at least one step")
            )
        return f"needs at least {error.validator_value} item(s)"
    if rule == "minLength":
        return "must not be empty"
    if rule == "maxLength":
        return f"must be at most {error.validator_value} characters long, not {len(value)}"
    if rule == "pattern":
        return f"{show(value)} is not in the form this property takes (see its description in the schema)"
    if rule == "oneOf":
        return f"{show(value)} is none of the forms this property takes (see its description in the schema)"
    return errors.one_line(error.message)


def _one_of_required(error: Any) -> bool:
    """A module's `anyOf` of `required` choices: one of params and inputs must be given."""
    return error.validator == "anyOf" and all(set(choice) == {"required"} for choice in error.validator_value)


def explain(schema_errors: Iterable[Any], step_of: StepOf) -> list[Problem]:
    """Problems for every schema error, in words; `step_of` names the step a path lies in."""
    found: list[Problem] = []
    suggested: set[tuple[Parts, str]] = set()
    required: list[Any] = []
    done_required: set[Parts] = set()

    def add(parts: Parts, message: str) -> None:
        found.append(Problem(errors.SCHEMA, json_path(parts), message, step_of(parts)))

    for error in schema_errors:
        parts: Parts = tuple(error.absolute_path)
        if error.validator == "required" or _one_of_required(error):
            required.append(error)
        elif error.validator == "not" and error.schema.get("title") == "Module":
            add(parts, 'give "params" (one string) or "inputs" (named values), not both')
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = list(error.schema.get("properties", {}))
            for key in error.instance:
                if key in known or not isinstance(key, str) or not _encodable(key):
                    continue  # a name that is not Unicode text is reported as such already
                absent = [k for k in known if k not in error.instance]  # a typo stands for a property not given
                close = difflib.get_close_matches(key.lower(), [k.lower() for k in absent], n=1, cutoff=0.6)
                if close:
                    match = next(k for k in absent if k.lower() == close[0])
                    suggested.add((parts, match))
                    add((*parts, key), f"unknown property {show(key)}; did you mean {show(match)}?")
                else:
                    add((*parts, key), f"unknown property {show(key)} (known here: {', '.join(known)})")
        else:
            add(parts, _message(error))
    for error in required:  # jsonschema reports one error per missing property; report each once
        parts = tuple(error.absolute_path)
        if error.validator == "anyOf":  # a step's module needs params or inputs
            names = [choice["required"][0] for choice in error.validator_value]
            if not any((parts, name) in suggested for name in names):
                add(parts, " or ".join(map(show, names)) + " is required and missing")
            continue
        if parts in done_required or not isinstance(error.instance, dict):
            continue
        done_required.add(parts)
        for name in error.validator_value:
            if name not in error.instance and (parts, name) not in suggested:
                add(parts, f"{show(name)} is required and missing")
    return found
