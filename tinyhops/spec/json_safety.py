"""What `json.loads` lets through or chokes on, caught before it hurts: nesting deep enough to exhaust the
stack (a RecursionError, or a segfault where the recursion limit was raised, as under Ape), and strings that
JSON can spell but Unicode cannot encode (a lone UTF-16 surrogate such as "\\ud800")."""

from __future__ import annotations

import json
import re
from typing import Any

from tinyhops import errors
from tinyhops.errors import Problem, json_path

MAX_NESTING = 100  # levels of arrays and objects; a workflow document needs six
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def nesting(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON `text` (brackets inside strings do not count)."""
    depth = deepest = 0
    for bracket in _NOT_A_BRACKET.sub("", _STRING.sub('""', text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def surrogate_problems(document: Any) -> list[Problem]:
    """Every string or property name that holds a lone surrogate, by JSON path (walked without recursion)."""
    try:  # the common case, at C speed: the whole document encodes as UTF-8, so no string holds one
        json.dumps(document, ensure_ascii=False).encode("utf-8")
        return []
    except (UnicodeEncodeError, TypeError, ValueError, RecursionError):
        pass  # a surrogate somewhere, or something json cannot write (the schema judges that): walk it
    found: list[Problem] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str):
            if match := _SURROGATE.search(node):
                found.append(_problem(path, f"not Unicode text: a lone surrogate {match.group()!a} in the string"))
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and (match := _SURROGATE.search(key)):
                    found.append(_problem(path, f"not Unicode text: a lone surrogate {match.group()!a} in a name"))
                    continue
                stack.append((value, (*path, key)))
        elif isinstance(node, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(node))
    return sorted(found, key=lambda p: p.path)


def _problem(path: tuple[str | int, ...], message: str) -> Problem:
    return Problem(errors.UNREADABLE, json_path(path), message)
