"""`--param NAME=VALUE`, once per parameter: the values a workflow's declared `parameters` take for this run.
The text after the first `=` is the value as written; the spec reader makes it the parameter's type and says
what does not fit (`tinyhops.spec.parameters`)."""

from __future__ import annotations

from collections.abc import Iterable

from tinyhops.errors import TinyHopsError


def given(assignments: Iterable[str]) -> dict[str, str]:
    """`NAME=VALUE` texts as a mapping. Raises TinyHopsError (one line, exit 1) for one without `=` or a name
    given twice."""
    values: dict[str, str] = {}
    for text in assignments:
        name, equals, value = text.partition("=")
        if not equals or not name:
            raise TinyHopsError(f"--param {text!r}: expected NAME=VALUE, such as --param message=hello")
        if name in values:
            raise TinyHopsError(f"--param {name} is given twice")
        values[name] = value
    return values
