"""Params templates: free text in which `{{stepId:ID}}` stands for the result CID of step ID (a number, or a
step's name: `tinyhops.spec.step_ids`) and `{{param:NAME}}` for the value of workflow parameter NAME
(`tinyhops.spec.parameters`, which replaces it by text before anything else reads the template).

Everything else is verbatim, braces and JSON included (the original encoder dropped every brace).
Escape: a backslash before a marker (`{{stepId:` or `{{param:`) makes it literal text. More generally, a run
of n backslashes right before a marker stands for n // 2 literal backslashes, and when n is odd the marker
that follows is literal too. Backslashes anywhere else are verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tinyhops.errors import TemplateError
from tinyhops.spec import step_ids

MARKER = "{{stepId:"
PARAM_MARKER = "{{param:"
PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")
_REFERENCE_TAIL = re.compile(rf"({step_ids.REFERENCE_PATTERN})\}}\}}")
_PARAM_TAIL = re.compile(rf"({PARAM_NAME.pattern})\}}\}}")
_REFERENCE = re.compile(rf"\{{\{{stepId:({step_ids.REFERENCE_PATTERN})\}}\}}")
_ANY_MARKER = re.compile(r"\{\{(?:stepId|param):")


@dataclass(frozen=True)
class Text:
    """Literal text, passed to the module as it is."""

    value: str


@dataclass(frozen=True)
class Ref:
    """The result CID of the step with this id; `name` is how the file wrote it, when it named the step."""

    step_id: int
    name: str | None = field(default=None, compare=False)

    @property
    def written(self) -> str:
        return self.name if self.name is not None else str(self.step_id)


def _ref(written: str) -> Ref:
    if written.isdigit():
        return Ref(int(written))
    return Ref(step_ids.id_of_name(written), written)


@dataclass(frozen=True)
class Param:
    """The value of the workflow parameter `name`, until `resolve` makes it text."""

    name: str


Segment = Text | Ref | Param


def parse(template: str) -> tuple[Segment, ...]:
    """Split a params string into text and references, merging adjacent text. Raises TemplateError."""
    # No escapes and no parameters: one regular-expression split, when every marker is a reference.
    if "\\" not in template and PARAM_MARKER not in template:
        parts = _REFERENCE.split(template)  # text, id, text, id, ..., text
        if template.count(MARKER) == len(parts) >> 1:
            segments: list[Segment] = [Text(parts[0])] if parts[0] else []
            for index in range(1, len(parts), 2):
                segments.append(_ref(parts[index]))
                if parts[index + 1]:
                    segments.append(Text(parts[index + 1]))
            return tuple(segments)
    return parse_by_scanning(template)


def parse_by_scanning(template: str) -> tuple[Segment, ...]:
    """`parse`, one marker at a time: escapes, and the position of a malformed reference."""
    segments: list[Segment] = []
    text: list[str] = []
    pos = 0
    while (match := _ANY_MARKER.search(template, pos)) is not None:
        found = match.start()
        marker = match.group()
        run_start = found
        while run_start > pos and template[run_start - 1] == "\\":
            run_start -= 1
        backslashes = found - run_start
        text.append(template[pos:run_start] + "\\" * (backslashes // 2))
        after_marker = found + len(marker)
        if backslashes % 2:
            text.append(marker)
            pos = after_marker
            continue
        if marker == PARAM_MARKER:
            tail = _PARAM_TAIL.match(template, after_marker)
            if tail is None:
                raise TemplateError(
                    found,
                    "malformed parameter reference: expected {{param:NAME}}, NAME a letter or _ then letters, "
                    "digits, _ or - (write \\{{param: for literal text)",
                )
            if text:
                _flush(text, segments)
            segments.append(Param(tail.group(1)))
            pos = tail.end()
            continue
        tail = _REFERENCE_TAIL.match(template, after_marker)
        if tail is None:
            raise TemplateError(
                found,
                "malformed reference: expected {{stepId:ID}} with a step id, a number or a name such as fetch-data "
                "(write \\{{stepId: for literal text)",
            )
        if text:
            _flush(text, segments)
        segments.append(_ref(tail.group(1)))
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
            out.append(f"{MARKER}{segment.written}}}}}")
            continue
        if isinstance(segment, Param):
            out.append(f"{PARAM_MARKER}{segment.name}}}}}")
            continue
        escaped = _escape_literal_markers(segment.value)
        followed_by_ref = index + 1 < len(items) and not isinstance(items[index + 1], Text)
        if followed_by_ref:
            trailing = len(escaped) - len(escaped.rstrip("\\"))
            escaped += "\\" * trailing
        out.append(escaped)
    return "".join(out)


def _escape_literal_markers(value: str) -> str:
    out: list[str] = []
    pos = 0
    for match in _ANY_MARKER.finditer(value):
        previous = value[pos : match.start()]
        trailing = len(previous) - len(previous.rstrip("\\"))
        out.append(previous + "\\" * trailing + "\\" + match.group())
        pos = match.end()
    out.append(value[pos:])
    return "".join(out)


def references(segments: Iterable[Segment]) -> list[int]:
    """Step ids referenced, in order of appearance, repeats included."""
    return [s.step_id for s in segments if isinstance(s, Ref)]


def parameters(segments: Iterable[Segment]) -> list[str]:
    """Parameter names used, in order of appearance, repeats included."""
    return [s.name for s in segments if isinstance(s, Param)]


def resolve(segments: Iterable[Segment], values: Mapping[str, str]) -> tuple[Segment, ...]:
    """Segments with each parameter whose name `values` holds made its text (adjacent text merged)."""
    out: list[Segment] = []
    for segment in segments:
        if isinstance(segment, Param) and segment.name in values:
            segment = Text(values[segment.name])
        if isinstance(segment, Text):
            if not segment.value:
                continue
            if out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].value + segment.value)
                continue
        out.append(segment)
    return tuple(out)


def render(segments: Iterable[Segment], results: Mapping[int, str]) -> str:
    """The params a module receives once every referenced step has its result CID."""
    return "".join(s.value if isinstance(s, Text) else results[s.step_id] for s in segments)
