"""A workflow's steps checked against the catalog: an optional layer on top of the spec's validation (which
knows nothing of modules' inputs). For each step whose module the catalog describes, its v1 `params` (as the
entry's `params.encoding` says they carry the inputs) and its v2 `inputs` (`Key=Value` strings) are checked
against the module's input schema: an unknown input, a missing required input, a value of the wrong type, each
at its JSON path and step. A module the catalog does not know is a warning: the step may still be right.

Reads the raw document and skips what is not well-formed (the spec's validation reports that).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tinyhops.catalog.entries import Catalog, ModuleEntry
from tinyhops.errors import Problem, json_path

CATALOG_INPUT = "catalog-input"
UNKNOWN_MODULE = "unknown-module"
_INTEGER = re.compile(r"^-?[0-9]+$")
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$")


@dataclass(frozen=True)
class Findings:
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]


def catalog_findings(document: Any, catalog: Catalog) -> Findings:
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for path, step in _steps(document):
        module = step.get("stepModule")
        if not isinstance(module, dict) or not isinstance(module.get("cmd"), str):
            continue
        step_id = _step_id(step.get("stepId"))
        entry = catalog.get(module["cmd"])
        if entry is None:
            warnings.append(
                Problem(
                    UNKNOWN_MODULE,
                    json_path((*path, "stepModule", "cmd")),
                    f"module {module['cmd'][:80]!r} is not in the catalog: its inputs are not checked",
                    step_id,
                )
            )
            continue
        if isinstance(module.get("params"), str) and "params" in entry.document:
            errors += _params_problems(entry, module["params"], (*path, "stepModule", "params"), step_id)
        if isinstance(module.get("inputs"), dict):
            errors += _v2_problems(entry, module["inputs"], (*path, "stepModule", "inputs"), step_id)
    return Findings(tuple(errors), tuple(warnings))


def _steps(document: Any) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    steps = document.get("steps") if isinstance(document, dict) else None
    if not isinstance(steps, list):
        return
    for index, entry in enumerate(steps):
        if isinstance(entry, dict):
            yield ("steps", index), entry
        elif isinstance(entry, list):
            for inner, step in enumerate(entry):
                if isinstance(step, dict):
                    yield ("steps", index, inner), step


def _step_id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _params_problems(entry: ModuleEntry, params: str, at: tuple[str | int, ...], step_id: int | None) -> list[Problem]:
    encoding = entry.document["params"]["encoding"]
    text_input = entry.document["params"].get("textInput")
    if encoding != "text":
        try:
            parsed = json.loads(params)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict):
            return _against_schema(entry, parsed, at, step_id, "params")
        if encoding == "json":
            return [_problem(at, step_id, f"{entry.cmd} takes its inputs as a JSON object in params")]
    return _against_schema(entry, {text_input: params}, at, step_id, "params")


def _v2_problems(
    entry: ModuleEntry, inputs: Mapping[str, Any], at: tuple[str | int, ...], step_id: int | None
) -> list[Problem]:
    """v2 inputs are strings: each is read as its input's type says before the schema judges it."""
    properties = entry.inputs["properties"]
    values: dict[str, Any] = {}
    found: list[Problem] = []
    for key, value in inputs.items():
        kind = properties.get(key, {}).get("type")
        if not isinstance(value, str) or kind in (None, "string"):
            values[key] = value
        elif (kind == "integer" and _INTEGER.match(value)) or (kind == "number" and _NUMBER.match(value)):
            values[key] = json.loads(value)
        elif kind == "boolean" and value in ("true", "false"):
            values[key] = value == "true"
        else:
            found.append(_problem((*at, key), step_id, f"input {key!r} must be {_a(kind)}, not {value[:40]!r}"))
    return found + _against_schema(entry, values, at, step_id, "inputs", nested=True, skip=set(inputs) - set(values))


def _against_schema(
    entry: ModuleEntry,
    values: Mapping[str, Any],
    at: tuple[str | int, ...],
    step_id: int | None,
    where: str,
    nested: bool = False,
    skip: set[str] | frozenset[str] = frozenset(),
) -> list[Problem]:
    from jsonschema import Draft202012Validator

    schema = dict(entry.inputs)
    schema["required"] = [name for name in schema.get("required", []) if name not in skip]
    known = list(schema["properties"])
    found: list[Problem] = []
    for error in Draft202012Validator(schema).iter_errors(dict(values)):
        key = error.absolute_path[0] if error.absolute_path else None
        path = (*at, key) if nested and isinstance(key, str) else at
        if error.validator == "additionalProperties":
            for name in sorted(set(values) - set(known)):
                close = difflib.get_close_matches(name, known, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f" (it takes {', '.join(known)})"
                found.append(
                    _problem((*at, name) if nested else at, step_id, f"{entry.cmd} has no input {name!r}{hint}")
                )
        elif error.validator == "required":
            missing = error.message.split("'")[1]
            found.append(_problem(at, step_id, f"{entry.cmd} requires input {missing!r}, missing from {where}"))
        else:
            found.append(_problem(path, step_id, f"input {key!r}: {error.message}" if key else error.message))
    return found


def _a(kind: str) -> str:
    return {"integer": "a whole number", "number": "a number", "boolean": "true or false"}.get(kind, kind)


def _problem(at: tuple[str | int, ...], step_id: int | None, message: str) -> Problem:
    return Problem(CATALOG_INPUT, json_path(at), message, step_id)
