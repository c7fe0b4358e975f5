"""A workflow's steps checked against the catalog: an optional layer on top of the spec's validation (which
knows nothing of modules' inputs). For each step whose module the catalog describes, its v1 `params` (as the
entry's `params.encoding` says they carry the inputs) and its v2 `inputs` (`Key=Value` strings) are checked
against the module's input schema: an unknown input, a missing required input, a value of the wrong type, and an
input expecting the CID of a media type fed an earlier step's file of another type, each at its JSON path and
step. A module the catalog does not know is a warning: the step may still be right.

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
_PATH = re.compile(r"^/((?:stdout|stderr|outputs/[^\s\"',}]+))")


@dataclass(frozen=True)
class Findings:
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]


def catalog_findings(document: Any, catalog: Catalog) -> Findings:
    errors: list[Problem] = []
    warnings: list[Problem] = []
    modules = _modules_by_step(document)
    for path, step in _steps(document):
        module = step.get("stepModule")
        if not isinstance(module, dict) or not isinstance(module.get("cmd"), str):
            continue
        step_id = _label(step.get("stepId"))
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
            at = (*path, "stepModule", "params")
            errors += _params_problems(entry, module["params"], at, step_id)
            errors += _media_problems(
                entry, _params_values(entry, module["params"]), at, False, step_id, modules, catalog
            )
        if isinstance(module.get("inputs"), dict):
            at = (*path, "stepModule", "inputs")
            errors += _v2_problems(entry, module["inputs"], at, step_id)
            errors += _media_problems(entry, module["inputs"], at, True, step_id, modules, catalog)
    return Findings(tuple(errors), tuple(warnings))


def _modules_by_step(document: Any) -> dict[int, str]:
    found: dict[int, str] = {}
    for _, step in _steps(document):
        module, step_id = step.get("stepModule"), _step_id(step.get("stepId"))
        if step_id is not None and isinstance(module, dict) and isinstance(module.get("cmd"), str):
            found.setdefault(step_id, module["cmd"])
    return found


def _params_values(entry: ModuleEntry, params: str) -> dict[str, Any]:
    """The inputs a v1 params string gives, as the entry's encoding reads it."""
    if entry.document["params"]["encoding"] != "text":
        try:
            parsed = json.loads(params)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict):
            return parsed
    text_input = entry.document["params"].get("textInput")
    return {text_input: params} if text_input else {}


def _media_problems(
    entry: ModuleEntry,
    values: Mapping[str, Any],
    at: tuple[str | int, ...],
    nested: bool,
    step_id: int | str | None,
    modules: Mapping[int, str],
    catalog: Catalog,
) -> list[Problem]:
    """An input that expects the CID of content of a media type (`x-cid-of`), fed a reference to an earlier step's
    file that its module declares with another media type, or does not declare. A bare `{{stepId:N}}` is the
    result directory, which the modules read as its stdout."""
    from tinyhops.errors import TemplateError
    from tinyhops.spec import params

    found: list[Problem] = []
    for name, spec in entry.inputs["properties"].items():
        expected, value = spec.get("x-cid-of"), values.get(name)
        if not expected or not isinstance(value, str):
            continue
        try:
            segments = params.parse(value)
        except TemplateError:
            continue  # the spec's validation reports a malformed reference
        for index, segment in enumerate(segments):
            if not isinstance(segment, params.Ref) or segment.step_id not in modules:
                continue
            source = catalog.get(modules[segment.step_id])
            if source is None:
                continue
            following = segments[index + 1] if index + 1 < len(segments) else None
            match = _PATH.match(following.value) if isinstance(following, params.Text) else None
            path = match.group(1) if match else "stdout"
            files = {file["path"]: file["mediaType"] for file in source.document["outputs"]["files"]}
            written = f"{{{{stepId:{segment.written}}}}}" + (f"/{path}" if match else "")
            where = (*at, name) if nested else at
            if path not in files:
                found.append(
                    _problem(
                        where,
                        step_id,
                        f"input {name!r} reads {written}, but {source.cmd} declares no output {path!r} "
                        f"(it has {', '.join(files)})",
                    )
                )
            elif files[path] != expected:
                found.append(
                    _problem(
                        where,
                        step_id,
                        f"input {name!r} expects the CID of {expected}, but {written} is {files[path]} ({source.cmd})",
                    )
                )
    return found


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


def _label(value: Any) -> int | str | None:
    """A step id as problems show it: its name, or its number."""
    from tinyhops.spec import step_ids

    return step_ids.label(value)


def _step_id(value: Any) -> int | None:
    """The on-chain id of a step id as the file writes it (a number or a name: tinyhops.spec.step_ids)."""
    from tinyhops.spec import step_ids

    return step_ids.parse(value)


def _params_problems(
    entry: ModuleEntry, params: str, at: tuple[str | int, ...], step_id: int | str | None
) -> list[Problem]:
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
    entry: ModuleEntry, inputs: Mapping[str, Any], at: tuple[str | int, ...], step_id: int | str | None
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
    step_id: int | str | None,
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


def _problem(at: tuple[str | int, ...], step_id: int | str | None, message: str) -> Problem:
    return Problem(CATALOG_INPUT, json_path(at), message, step_id)
