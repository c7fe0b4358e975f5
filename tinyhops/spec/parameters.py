"""Workflow parameters: declared in the file's `parameters` (a type, a default, a description, an enum), used as
`{{param:NAME}}` in a step's `params` or `inputs` values, given when the workflow is submitted
(`tiny-hops run FILE --param NAME=VALUE`, the MCP tools' `parameters` object).

`resolve` makes every `{{param:NAME}}` the text of its value before anything else reads the document, so the
steps, their encoding and the chain only ever see plain params. A value is text as it is (string), in decimal
(integer, number: `7`, `0.5`), or `true`/`false` (boolean); it is always literal text, never a reference, even
when it looks like one. A parameter without a default must be given. An undeclared `{{param:NAME}}` is left in
place for the spec reader to report at its step.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from tinyhops import errors
from tinyhops.errors import Problem, TemplateError, json_path
from tinyhops.spec import params

TYPES = ("string", "integer", "number", "boolean")
_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_TYPE_WORDS = {"string": "a string", "integer": "a whole number", "number": "a number", "boolean": "true or false"}


@dataclass(frozen=True)
class Parameter:
    """One declared parameter, as the schema admits it."""

    name: str
    type: str
    default: Any = None
    has_default: bool = False
    description: str | None = None
    enum: tuple[Any, ...] | None = None


def declared(document: Any) -> dict[str, Parameter]:
    """The well-formed declarations of a document (the schema reports the others), in file order."""
    section = document.get("parameters") if isinstance(document, dict) else None
    if not isinstance(section, dict):
        return {}
    found: dict[str, Parameter] = {}
    for name, body in section.items():
        if not isinstance(body, dict) or body.get("type") not in TYPES or not params.PARAM_NAME.fullmatch(name):
            continue
        enum = body.get("enum")
        found[name] = Parameter(
            name,
            body["type"],
            body.get("default"),
            "default" in body,
            body.get("description") if isinstance(body.get("description"), str) else None,
            tuple(enum) if isinstance(enum, list) else None,
        )
    return found


def _fits(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return kind == "number" or float(value).is_integer()


def _coerced(kind: str, value: Any) -> Any:
    """A value given as text (`--param n=5`) as the declared type; anything else as it is."""
    if not isinstance(value, str) or kind == "string":
        return value
    if kind == "integer" and _INTEGER.fullmatch(value):
        return int(value)
    if kind == "number" and _NUMBER.fullmatch(value):
        return int(value) if _INTEGER.fullmatch(value) else float(value)
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


def text_of(value: Any) -> str:
    """A parameter's value as the text that replaces `{{param:NAME}}`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else json.dumps(value)


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def values(document: Any, given: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """The value of every declared parameter (given, else its default) and the problems: a default that does
    not fit its declaration, a parameter given that is not declared, a required one not given, a value of the
    wrong type or outside its enum. Each problem names `$.parameters.NAME` (or `$.parameters`)."""
    declarations = declared(document)
    found: dict[str, Any] = {}
    problems: list[Problem] = []
    for name in given:
        if name not in declarations:
            known = ", ".join(declarations) or "none"
            problems.append(
                Problem(
                    errors.BAD_PARAMETER,
                    "$.parameters",
                    f"parameter {name!r} is given but not declared (declared: {known})",
                )
            )
    for name, parameter in declarations.items():
        where = json_path(("parameters", name))
        if parameter.has_default and not _fits(parameter.type, parameter.default):
            continue  # the schema reports a default of the wrong type
        if parameter.has_default and parameter.enum is not None and parameter.default not in parameter.enum:
            message = f"the default {_shown(parameter.default)} is not one of the enum's values"
            problems.append(Problem(errors.BAD_PARAMETER, f"{where}.default", message))
            continue
        if name in given:
            value = _coerced(parameter.type, given[name])
            if not _fits(parameter.type, value):
                message = f"parameter {name!r} is {_TYPE_WORDS[parameter.type]}; not {_shown(given[name])}"
                problems.append(Problem(errors.BAD_PARAMETER, where, message))
                continue
            if parameter.enum is not None and value not in parameter.enum:
                choices = ", ".join(map(_shown, parameter.enum))
                message = f"parameter {name!r} is one of {choices}; not {_shown(given[name])}"
                problems.append(Problem(errors.BAD_PARAMETER, where, message))
                continue
            found[name] = value
        elif parameter.has_default:
            found[name] = parameter.default
        else:
            message = f"parameter {name!r} has no default and is not given (give it: --param {name}=VALUE)"
            problems.append(Problem(errors.BAD_PARAMETER, where, message))
    return found, problems


def resolve(document: Any, given: Mapping[str, Any] | None = None) -> tuple[Any, dict[str, Any], list[Problem]]:
    """The document with every declared `{{param:NAME}}` made its value's text, the values, and the problems of
    the parameters (`values`). A document that uses no parameter is returned as it is, the same object."""
    given = given or {}
    if not isinstance(document, dict) or ("parameters" not in document and not given):
        return document, {}, []
    found, problems = values(document, given)
    texts = {name: text_of(value) for name, value in found.items()}
    resolved = _substituted(document, texts) if texts else document
    return resolved, found, problems


def _templates(document: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """Every template string of the document: the object holding it (a stepModule, or its inputs) and its key."""
    entries = document.get("steps")
    if not isinstance(entries, list):
        return
    for entry in entries:
        for step in entry if isinstance(entry, list) else [entry]:
            module = step.get("stepModule") if isinstance(step, dict) else None
            if not isinstance(module, dict):
                continue
            if isinstance(module.get("params"), str):
                yield module, "params"
            named = module.get("inputs")
            if isinstance(named, dict):
                for key, value in named.items():
                    if isinstance(value, str):
                        yield named, key


def _substituted(document: Mapping[str, Any], texts: Mapping[str, str]) -> dict[str, Any]:
    """A copy of the document with its templates' parameters replaced."""
    copy = deepcopy(document)
    for holder, key in _templates(copy):
        template = holder[key]
        if params.PARAM_MARKER not in template:
            continue
        try:
            segments = params.parse(template)
        except TemplateError:
            continue  # the spec reader reports it where it is
        holder[key] = params.unparse(params.resolve(segments, texts))
    return copy
