"""The part of Go's `text/template` that Lilypad module templates use: parsing into a tree, and rendering it the
way Lilypad's node does (every input JSON-encoded before it reaches the template; `subst` JSON-decodes its
arguments and `fmt.Sprintf`s them; Go's `js`, `html`, `urlquery`, `printf`, `print`, `or`, `and`, `not`).

Parsed: text, actions `{{ pipeline }}`, `{{if}}`/`{{with}}`/`{{range}} … {{else}} … {{end}}` (and `else if`),
comments `{{/* */}}` and the trim markers `{{-` / `-}}`. A pipeline's fields are the template's variables.
Anything else raises TemplateUnreadable naming the line.
"""

from __future__ import annotations

import ast
import json
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tinyhops.errors import TemplateUnreadable

BLOCKS = ("if", "with", "range")
_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\\n]|\\.)*")|(?P<raw>`[^`]*`)|(?P<field>\.[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)'
    r"|(?P<dot>\.)|(?P<pipe>\|)|(?P<open>\()|(?P<close>\))|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<number>-?[0-9]+(?:\.[0-9]+)?)|(?P<variable>\$[A-Za-z0-9_]*))"
)


@dataclass(frozen=True)
class Token:
    kind: str  # string, raw, field, dot, pipe, open, close, word, number, variable
    text: str

    @property
    def value(self) -> str:
        """A string literal's value; a field's variable name (its first segment, without the dot)."""
        if self.kind == "string":  # Go's escapes are Python's: \a \b \f \n \r \t \v \xhh \ooo \uhhhh \Uhhhhhhhh
            return ast.literal_eval(self.text)
        if self.kind == "raw":
            return self.text[1:-1]
        if self.kind == "field":
            return self.text[1:].split(".")[0]
        return self.text


@dataclass(frozen=True)
class Text:
    text: str
    line: int


@dataclass(frozen=True)
class Action:
    """`{{ pipeline }}`: commands separated by `|`, each a list of tokens."""

    commands: tuple[tuple[Token, ...], ...]
    line: int
    source: str

    @property
    def fields(self) -> list[str]:
        return [token.value for command in self.commands for token in command if token.kind == "field"]


@dataclass
class Block:
    """`{{if PIPELINE}} body {{else}} otherwise {{end}}` (or with / range); `otherwise` is None without else."""

    kind: str
    condition: Action
    body: list[Node] = field(default_factory=list)
    otherwise: list[Node] | None = None
    line: int = 0
    chained: bool = False  # an `else if`: closed by the {{end}} of the block it continues

    @property
    def guard(self) -> str | None:
        """The variable the block tests, when its condition is one bare field (`{{if .Message}}`)."""
        (command, *rest) = self.condition.commands
        return command[0].value if not rest and len(command) == 1 and command[0].kind == "field" else None


Node = Text | Action | Block


def parse(source: str) -> list[Node]:
    """The template's tree; TemplateUnreadable (with its line) for what is not a template."""
    nodes: list[Node] = []
    stack: list[tuple[Block, list[Node]]] = []  # open blocks and the list nodes went to before each
    current = nodes
    position, line = 0, 1
    pending_trim = False
    while True:
        start = source.find("{{", position)
        text = source[position:] if start < 0 else source[position:start]
        left_trim = start >= 0 and source.startswith("{{- ", start)
        if pending_trim:
            text = text.lstrip()
        if left_trim:
            text = text.rstrip()
        if text:
            current.append(Text(text, line))
        if start < 0:
            break
        line += source.count("\n", position, start)
        end = _action_end(source, start, line)
        inner = source[start + 2 : end]
        pending_trim = inner.endswith(" -")
        inner = inner[2 if left_trim else 0 : len(inner) - (2 if pending_trim else 0)].strip()
        position = end + 2
        action_line = line
        line += source.count("\n", start, position)
        if inner.startswith("/*"):
            if not inner.endswith("*/"):
                raise TemplateUnreadable(f"line {action_line}: unclosed comment")
            continue
        keyword, _, rest = inner.partition(" ")
        if keyword in BLOCKS:
            block = Block(keyword, _action(rest, action_line), line=action_line)
            current.append(block)
            stack.append((block, current))
            current = block.body
        elif keyword == "else":
            if not stack or stack[-1][0].otherwise is not None:
                raise TemplateUnreadable(f"line {action_line}: {{{{else}}}} outside an if, with or range")
            block = stack[-1][0]
            block.otherwise = []
            current = block.otherwise
            chained, _, condition = rest.strip().partition(" ")
            if chained in BLOCKS:
                nested = Block(chained, _action(condition, action_line), line=action_line, chained=True)
                current.append(nested)
                stack.append((nested, current))
                current = nested.body
        elif keyword == "end":
            if not stack:
                raise TemplateUnreadable(f"line {action_line}: {{{{end}}}} without an if, with or range")
            block, current = stack.pop()
            while block.chained:
                block, current = stack.pop()
        elif keyword in ("define", "template", "block", "break", "continue"):
            raise TemplateUnreadable(f"line {action_line}: {{{{{keyword}}}}} is not supported in a module template")
        else:
            current.append(_action(inner, action_line))
    if stack:
        raise TemplateUnreadable(f"line {stack[-1][0].line}: {{{{{stack[-1][0].kind}}}}} has no {{{{end}}}}")
    return nodes


def _action_end(source: str, start: int, line: int) -> int:
    """Where the action opened at `start` closes (`}}` outside its string literals)."""
    index = start + 2
    while index < len(source):
        if source.startswith("}}", index):
            return index
        char = source[index]
        if char in '"`':
            close = source.find(char, index + 1) if char == "`" else _string_end(source, index)
            if close < 0:
                raise TemplateUnreadable(f"line {line}: unterminated string in an action")
            index = close
        index += 1
    raise TemplateUnreadable(f"line {line}: {{{{ is never closed by }}}}")


def _string_end(source: str, start: int) -> int:
    index = start + 1
    while index < len(source) and source[index] not in '"\n':
        index += 2 if source[index] == "\\" else 1
    return index if index < len(source) and source[index] == '"' else -1


def _action(text: str, line: int) -> Action:
    commands: list[list[Token]] = [[]]
    position = 0
    text = text.strip()
    if not text:
        raise TemplateUnreadable(f"line {line}: empty action")
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise TemplateUnreadable(
                f"line {line}: cannot read {text[position:].lstrip()[:40]!r} in {{{{ {text[:60]} }}}}"
            )
        kind = match.lastgroup or ""
        position = match.end()
        if kind == "pipe":
            commands.append([])
        elif kind in ("open", "close"):
            raise TemplateUnreadable(f"line {line}: parenthesised pipelines are not supported: {{{{ {text[:60]} }}}}")
        else:
            commands[-1].append(Token(kind, match.group(kind)))
    if any(not command for command in commands):
        raise TemplateUnreadable(f"line {line}: an empty command in {{{{ {text[:60]} }}}}")
    return Action(tuple(tuple(command) for command in commands), line, text)


def variables(nodes: list[Node]) -> list[str]:
    """Every variable the template reads, in order of first appearance."""
    seen: dict[str, None] = {}
    for node in walk(nodes):
        actions = [node] if isinstance(node, Action) else [node.condition] if isinstance(node, Block) else []
        for action in actions:
            seen.update(dict.fromkeys(action.fields))
    return list(seen)


def walk(nodes: list[Node]):
    for node in nodes:
        yield node
        if isinstance(node, Block):
            yield from walk(node.body)
            yield from walk(node.otherwise or [])


# ---- rendering, as Lilypad's node renders a module


def go_js_escape(text: str) -> str:
    """Go's `template.JSEscapeString`."""
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char in "'\"":
            out.append("\\" + char)
        elif char in "<>&=":
            out.append(f"\\u{ord(char):04X}")
        elif ord(char) < 0x20 or not char.isprintable():
            out.append(f"\\u{ord(char):04X}" if ord(char) < 0x10000 else char)
        else:
            out.append(char)
    return "".join(out)


def go_html_escape(text: str) -> str:
    """Go's `template.HTMLEscapeString`."""
    table = {"\0": "\ufffd", '"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
    return "".join(table.get(char, char) for char in text)


def sprintf(fmt: str, arguments: list[str], line: int) -> str:
    """Go's fmt.Sprintf for the verbs templates use with strings: %s, %v, %q, %%."""
    values = iter(arguments)

    def verb(match: re.Match[str]) -> str:
        if match.group(1) == "%":
            return "%"
        value = next(values, None)
        if value is None:
            return f"%!{match.group(1)}(MISSING)"
        return json.dumps(value) if match.group(1) == "q" else value

    try:
        return re.sub(r"%([svq%])", verb, fmt)
    except re.error as error:  # pragma: no cover - the pattern is fixed
        raise TemplateUnreadable(f"line {line}: {error}") from error


class RenderError(Exception):
    """Raised when a pipeline cannot be evaluated (an unknown function, `subst` given a value that is not a
    JSON string); the caller says what that means for the draft."""


def render(nodes: list[Node], inputs: Mapping[str, str]) -> str:
    """The template rendered with `inputs` (each JSON-encoded first, as Lilypad does); an absent input is
    false in a condition and `<no value>` in an action, as Go prints a missing map key."""
    encoded = {name: json.dumps(value) for name, value in inputs.items()}
    return "".join(_render(node, encoded) for node in nodes)


def _render(node: Node, encoded: Mapping[str, str]) -> str:
    if isinstance(node, Text):
        return node.text
    if isinstance(node, Action):
        return _evaluate(node, encoded)
    if node.kind == "range":
        raise RenderError(f"line {node.line}: range is not rendered")
    taken = node.body if _evaluate(node.condition, encoded) not in ("", "<no value>", "false") else node.otherwise
    return "".join(_render(child, encoded) for child in taken or [])


_FUNCTIONS: dict[str, Callable[[list[str], int], str]] = {
    "js": lambda args, line: go_js_escape("".join(args)),
    "html": lambda args, line: go_html_escape("".join(args)),
    "urlquery": lambda args, line: urllib.parse.quote_plus("".join(args)),
    "print": lambda args, line: "".join(args),
    "printf": lambda args, line: sprintf(args[0], args[1:], line),
    "or": lambda args, line: next((a for a in args if a not in ("", "<no value>")), args[-1] if args else ""),
    "and": lambda args, line: next((a for a in args if a in ("", "<no value>")), args[-1] if args else ""),
    "not": lambda args, line: "false" if args and args[0] not in ("", "<no value>", "false") else "true",
}


def _subst(args: list[str], line: int) -> str:
    decoded = []
    for argument in args[1:]:
        try:
            value = json.loads(argument)
        except json.JSONDecodeError:
            value = None
        if not isinstance(value, str):
            raise RenderError(f"line {line}: subst was given {argument[:40]!r}, not a JSON-encoded string")
        decoded.append(value)
    return sprintf(args[0], decoded, line)


_FUNCTIONS["subst"] = _FUNCTIONS["subt"] = _subst


def _evaluate(action: Action, encoded: Mapping[str, str]) -> str:
    result: str | None = None
    for command in action.commands:
        arguments = [_argument(token, encoded, action.line) for token in command[1:]]
        head = command[0]
        if head.kind == "word":
            function = _FUNCTIONS.get(head.text)
            if function is None:
                raise RenderError(f"line {action.line}: unknown function {head.text!r}")
            result = function(arguments + ([result] if result is not None else []), action.line)
        elif len(command) == 1 and result is None:
            result = _argument(head, encoded, action.line)
        else:
            raise RenderError(f"line {action.line}: cannot evaluate {{{{ {action.source[:60]} }}}}")
    return result or ""


def _argument(token: Token, encoded: Mapping[str, str], line: int) -> str:
    if token.kind == "field":
        return encoded.get(token.value, "<no value>")
    if token.kind in ("string", "raw", "number"):
        return token.value
    raise RenderError(f"line {line}: {token.text!r} is not supported as an argument")
