"""Params templates: free text in which `{{stepId:ID}}` stands for the result CID of step ID.

Everything else is verbatim, braces and JSON included (the original encoder dropped every brace).
Escape: a backslash before `{{stepId:` makes it literal text. More generally, a run of n backslashes
right before `{{stepId:` stands for n // 2 literal backslashes, and when n is odd the `{{stepId:` that
follows is literal too. Backslashes anywhere else are verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tinyhops.errors import TemplateError

MARKER = "{{stepId:"
_REFERENCE_TAIL = re.compile(r"([0-9]{1,20})\}\}")
_REFERENCE = re.compile(r"\{\{stepId:([0-9]{1,20})\}\}")


@dataclass(frozen=True)
class Text:
    """Literal text, passed to the module as it is."""

    value: str


@dataclass(frozen=True)
class Ref:
    """The result CID of the step with this id."""

    step_id: int


Segment = Text | Ref


def parse(template: str) -> tuple[Segment, ...]:
    """Split a params string into text and references, merging adjacent text. Raises TemplateError."""
    if "\\" not in template:  # no escapes: one regular-expression split, when every marker is a reference
        parts = _REFERENCE.split(template)
        if template.count(MARKER) == len(parts) // 2:
            return tuple(
                Ref(int(part)) if index % 2 else Text(part) for index, part in enumerate(parts) if index % 2 or part
            )
    return parse_by_scanning(template)


def parse_by_scanning(template: str) -> tuple[Segment, ...]:
    """`parse`, one marker at a time: escapes, and the position of a malformed reference."""
    segments: list[Segment] = []
    text: list[str] = []
    pos = 0
    while (found := template.find(MARKER, pos)) != -1:
        run_start = found
        while run_start > pos and template[run_start - 1] == "\\":
            run_start -= 1
        backslashes = found - run_start
        text.append(template[pos:run_start] + "\\" * (backslashes // 2))
        after_marker = found + len(MARKER)
        if backslashes % 2:
            text.append(MARKER)
            pos = after_marker
            continue
        tail = _REFERENCE_TAIL.match(template, after_marker)
        if tail is None:
            raise TemplateError(
                found,
                "malformed reference: expected {{stepId:ID}} with a numeric ID (write \\{{stepId: for literal text)",
            )
        if text:
            _flush(text, segments)
        segments.append(Ref(int(tail.group(1))))
        pos = tail.end()
    text.append(template[pos:])
    _flush(text, segments)
    return tuple(segments)


def _flush(text: list[str], segments: list[Segment]) -> None:
    joined = "".join(text)
    text.clear()
    if not joined:
        return
    if segments and isinstance(segments[-1], Text):
        segments[-1] = Text(segments[-1].value + joined)
    else:
        segments.append(Text(joined))


def unparse(segments: Iterable[Segment]) -> str:
    """The canonical source text of segments: `parse(unparse(s)) == s` for merged segments."""
    out: list[str] = []
    items = list(segments)
    for index, segment in enumerate(items):
        if isinstance(segment, Ref):
            out.append(f"{MARKER}{segment.step_id}}}}}")
            continue
        escaped = _escape_literal_markers(segment.value)
        followed_by_ref = index + 1 < len(items) and isinstance(items[index + 1], Ref)
        if followed_by_ref:
            trailing = len(escaped) - len(escaped.rstrip("\\"))
            escaped += "\\" * trailing
        out.append(escaped)
    return "".join(out)


def _escape_literal_markers(value: str) -> str:
    pieces = value.split(MARKER)
    out = [pieces[0]]
    for piece in pieces[1:]:
        previous = out[-1]
        trailing = len(previous) - len(previous.rstrip("\\"))
        out[-1] = previous + "\\" * trailing + "\\"
        out.append(MARKER + piece)
    return "".join(out)


def references(segments: Iterable[Segment]) -> list[int]:
    """Step ids referenced, in order of appearance, repeats included."""
    return [s.step_id for s in segments if isinstance(s, Ref)]


def render(segments: Iterable[Segment], results: Mapping[int, str]) -> str:
    """The params a module receives once every referenced step has its result CID."""
    return "".join(s.value if isinstance(s, Text) else results[s.step_id] for s in segments)
