"""Typed errors. Each names where the problem is (file, JSON path, step id) and what is wrong, in one line.

`TinyHopsError.one_line()` is the only format users see; `tinyhops.cli.reporting` turns any of these into that
line and exit code 1, so no traceback ever reaches a user for bad input.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class TinyHopsError(Exception):
    """Base of every error Tiny Hops reports to a user."""

    def one_line(self) -> str:
        return str(self)


def json_path(parts: Iterable[str | int]) -> str:
    """Render a path such as ("steps", 1, 0, "stepModule") as `$.steps[1][0].stepModule`."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a workflow document."""

    kind: str
    path: str
    message: str
    step_id: int | None = None

    def __str__(self) -> str:
        where = self.path if self.step_id is None else f"{self.path} (step {self.step_id})"
        return f"{where}: {self.message}"


# The kinds of problem, named so tests and callers can match on them.
SCHEMA = "schema"
DUPLICATE_ID = "duplicate-id"
UNKNOWN_STEP = "unknown-step"
SELF_REFERENCE = "self-reference"
CYCLE = "cycle"
BAD_MODULE = "bad-module"
BAD_COST = "bad-cost"
BAD_TEMPLATE = "bad-template"
LIMIT = "limit"
UNREADABLE = "unreadable"


class WorkflowInvalid(TinyHopsError):
    """A workflow document has one or more problems; all of them are carried, not only the first."""

    def __init__(self, source: str, problems: Sequence[Problem]):
        self.source = source
        self.problems = tuple(problems)
        super().__init__(self.one_line())

    @property
    def kinds(self) -> set[str]:
        return {p.kind for p in self.problems}

    def one_line(self) -> str:
        first = self.problems[0]
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        return f"{self.source}: {first}{more}"

    def lines(self) -> list[str]:
        return [f"{self.source}: {p}" for p in self.problems]


class CostError(TinyHopsError):
    """A cost string that is not a positive whole number of wei."""


class TemplateError(TinyHopsError):
    """A params template with a malformed `{{stepId:` reference."""

    def __init__(self, offset: int, message: str):
        self.offset = offset
        super().__init__(f"at character {offset}: {message}")


class EncodingError(TinyHopsError):
    """Data that cannot be encoded for, or decoded from, the registry's submit arguments."""
