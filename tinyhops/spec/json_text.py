"""JSON text to a document, with syntax errors in words at their line and column.

A trailing comma (`[1, 2,]`, `{"a": 1,}`) is a problem of its own, reported where the comma is; the text is
then read as if the comma were not there, so the rest of the document is still checked. Any other syntax
error ends reading.
"""

from __future__ import annotations

import json
from typing import Any

from tinyhops import errors
from tinyhops.errors import Problem

MAX_TRAILING_COMMAS = 50  # each one costs a parse of the whole text
_WHITESPACE = " \t\n\r"
_IN_WORDS = {
    "Expecting value": "expected a value (a string, number, object, array, true, false or null)",
    "Expecting property name enclosed in double quotes": "expected a property name in double quotes",
    "Expecting ',' delimiter": "expected a comma or a closing bracket",
    "Expecting ':' delimiter": "expected a colon after the property name",
    "Unterminated string starting at": 'a string is never closed (a missing ")',
    "Invalid control character at": r"a control character inside a string (write a newline as \n, a tab as \t)",
    "Invalid \\escape": r"a backslash escape JSON does not have (a literal backslash is \\)",
    "Invalid \\uXXXX escape": r"a \u escape without four hexadecimal digits",
    "Extra data": "more text after the end of the JSON document",
    "Unexpected UTF-8 BOM (decode using utf-8-sig)": (
        "the file starts with a byte order mark; save it as UTF-8 without one"
    ),
}


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - text.rfind("\n", 0, pos)
    return f"line {line} column {column}"


def _trailing_comma(text: str, pos: int) -> int | None:
    """The position of the comma that a closing bracket at `pos` follows, if that is what stopped the parser."""
    if pos >= len(text) or text[pos] not in "]}":
        return None
    before = pos - 1
    while before >= 0 and text[before] in _WHITESPACE:
        before -= 1
    return before if before >= 0 and text[before] == "," else None


def read(text: str) -> tuple[Any, list[Problem]]:
    """The document and the problems of its text; the document is None when it cannot be read at all.
    Raises ValueError for what json itself refuses beyond syntax (an integer of more than 4300 digits)."""
    problems: list[Problem] = []
    while True:
        try:
            return json.loads(text), problems
        except json.JSONDecodeError as exc:
            comma = _trailing_comma(text, exc.pos)
            if comma is None or len(problems) >= MAX_TRAILING_COMMAS:
                problems.append(_syntax_problem(text, exc))
                return None, problems
            closing = "array" if text[exc.pos] == "]" else "object"
            problems.append(
                Problem(
                    errors.TRAILING_COMMA,
                    "",
                    f"trailing comma at {_where(text, comma)}: JSON allows no comma after the last item of an "
                    f"{closing} (remove it)",
                )
            )
            text = text[:comma] + " " + text[comma + 1 :]


def _syntax_problem(text: str, exc: json.JSONDecodeError) -> Problem:
    if not text.strip():
        return Problem(errors.UNREADABLE, "", "the file is empty (a workflow is a JSON object)")
    words = _IN_WORDS.get(exc.msg, exc.msg)
    return Problem(errors.UNREADABLE, "", f"invalid JSON at {_where(text, exc.pos)}: {words}")
