"""A step's `inputs`: the module's named inputs, as Lilypad v2 modules take them (`{"Message": "hi"}`).

Lilypad v2's job creator receives each input as one `Key=Value` string, splits it on every `=` and silently
drops any element that does not give exactly two parts; the module's template then reads the value as
`{{.Key}}` (Go `text/template`). So a key is what a Go template field name can be (a letter or `_`, then
letters, digits and `_`: Go's `unicode.IsLetter` and `unicode.IsDigit`), and neither a key nor a value may
hold an `=` or the byte 0x1e that separates inputs on the way to the chain (`INPUTS_SEPARATOR` in
`contracts/interfaces/ParamsEncoding.sol`). A value is a params template: `{{stepId:N}}` (and
`{{stepId:N}}/outputs/...`) stands for step N's result CID, which never holds either character.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable

from tinyhops.spec.params import Ref, Segment, Text

KEY_VALUE = "="
SEPARATOR = "\x1e"

# An input as the spec keeps it: its key, and its value's template segments.
Input = tuple[str, tuple[Segment, ...]]


def _letter(char: str) -> bool:
    return char == "_" or unicodedata.category(char).startswith("L")


def key_problem(key: str) -> str | None:
    """Why `key` cannot name a module input, or None when it can."""
    if not key:
        return "an input name must not be empty"
    if KEY_VALUE in key:
        return f"the input name {key!r} holds an '=': the job creator splits each Key=Value on '=' and drops it"
    if SEPARATOR in key:
        return f"the input name {key!r} holds the byte 0x1e, which separates inputs on the way to the chain"
    if any(char.isspace() for char in key):
        return f"the input name {key!r} holds whitespace: a module reads it as {{{{.Name}}}}, a Go template field"
    if not _letter(key[0]) or not all(_letter(c) or unicodedata.category(c) == "Nd" for c in key[1:]):
        return (
            f"the input name {key!r} is not a Go template field name (a letter or _, then letters, digits or _), "
            "which is how a module reads it"
        )
    return None


def value_problem(value: str) -> str | None:
    """Why `value` would not reach the module intact through the job creator, or None when it would."""
    if KEY_VALUE in value:
        return "the value holds an '=': the job creator splits Key=Value on every '=' and drops the whole input"
    if SEPARATOR in value:
        return "the value holds the byte 0x1e, which separates inputs on the way to the chain"
    return None


def as_v2_segments(inputs: Iterable[Input]) -> tuple[Segment, ...]:
    """The inputs as Lilypad v2 receives them once resolved: `Key=Value` elements joined by 0x1e."""
    out: list[Segment] = []
    for index, (key, value) in enumerate(inputs):
        out.append(Text(f"{SEPARATOR if index else ''}{key}{KEY_VALUE}"))
        out.extend(value)
    return merged(out)


def as_json_segments(inputs: Iterable[Input]) -> tuple[Segment, ...]:
    """The inputs as one JSON object string (`{"Message": "hi <CID>"}`), how Lilypad v1 takes them as params.
    A reference stays a reference inside its JSON string: a CID (and a path after it) needs no escaping."""
    out: list[Segment] = [Text("{")]
    for index, (key, value) in enumerate(inputs):
        out.append(Text(f'{", " if index else ""}{_json_string(key)}: "'))
        out.extend(Text(_json_string(s.value)[1:-1]) if isinstance(s, Text) else s for s in value)
        out.append(Text('"'))
    out.append(Text("}"))
    return merged(out)


def _json_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def merged(segments: Iterable[Segment]) -> tuple[Segment, ...]:
    """Segments with adjacent text joined and empty text dropped (the form `params.parse` gives)."""
    out: list[Segment] = []
    for segment in segments:
        if isinstance(segment, Ref):
            out.append(segment)
        elif segment.value:
            if out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].value + segment.value)
            else:
                out.append(segment)
    return tuple(out)
