"""Drafting a catalog entry from a module's `lilypad_module.json.tmpl`, for a person to finish.

Every variable of the template becomes an input (a string: Lilypad passes strings). A variable tested by
`{{if .X}}` is optional; when that block's `{{else}}` writes a literal in the same shape as its `{{if}}` branch
(`{{if .X}}{{.X}}{{else}}"moo"{{end}}`, `{{if .X}}"{{subst "K=%s" .X}}"{{else}}"K=moo"{{end}}`,
`{{if .X}}"K={{.X | js}}"{{else}}"K=moo"{{end}}`) the literal, decoded, is its default. A variable used
outside any test of itself is required. The template is rendered as Lilypad would (tinyhops.catalog.go_template)
to find each input's place in the job, the machine, the image and the timeout. What cannot be known from the
template (title, description, output files, typical runtime, determinism) is left in the draft's `todo`;
what the template does oddly is said in `unverified`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinyhops.catalog import go_template
from tinyhops.catalog.go_template import Action, Block, Node, RenderError, Text
from tinyhops.errors import TemplateUnreadable, json_path

MAX_TEMPLATE_BYTES = 1 << 20
V2_PRICE = {"amount": str(2 * 10**18), "unit": "token-units", "source": "the v2 job creator's fixed price"}
_MARKER = "THOPSINPUT{}END"
_NAME_CLEAN = re.compile(r"[^a-z0-9._-]+")


@dataclass
class _Input:
    name: str
    required: bool = False
    guarded_by_others: set[str] = field(default_factory=set)
    default: str | None = None
    notes: list[str] = field(default_factory=list)


def read_template(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TemplateUnreadable(f"{path}: no such file") from None
    except IsADirectoryError:
        raise TemplateUnreadable(f"{path}: is a directory, not a template") from None
    except OSError as error:
        raise TemplateUnreadable(f"{path}: cannot be read: {error.strerror}") from None
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateUnreadable(f"{path}: {len(data):,} bytes; a module template is at most {MAX_TEMPLATE_BYTES:,}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TemplateUnreadable(f"{path}: not UTF-8 text (byte {error.start})") from None


def draft_entry(
    source: str,
    *,
    name: str,
    cmd: str | None = None,
    repository: str | None = None,
    commit: str | None = None,
) -> dict[str, Any]:
    """The draft entry for the template text `source` (TemplateUnreadable names the line of a parse error)."""
    nodes = go_template.parse(source)
    inputs = _analyse(nodes)
    unverified: list[str] = []
    todo = ["title", "description", "outputs: list the files the module writes under outputs/ and pick the primary"]
    job = _rendered(nodes, {i.name: _MARKER.format(i.name) for i in inputs.values()}, unverified, "every input given")
    minimal = {i.name: _MARKER.format(i.name) for i in inputs.values() if i.required}
    if _rendered(nodes, minimal, unverified, "only the required inputs given") is None and job is not None:
        unverified.append("the template renders valid JSON only when optional inputs are given")
    places = _places(job, inputs) if job is not None else {}
    lowered: dict[str, str] = {}
    for key in inputs:
        if key.lower() in lowered:
            unverified.append(
                f"inputs {lowered[key.lower()]!r} and {key!r} differ only in case: Lilypad treats them apart"
            )
        lowered.setdefault(key.lower(), key)
    properties = {}
    for item in inputs.values():
        where = places.get(item.name)
        spec: dict[str, Any] = {
            "type": "string",
            "description": f"TODO: what {item.name} means." + (f" The template puts it in {where}." if where else ""),
        }
        if item.default is not None:
            spec["default"] = item.default
        properties[item.name] = spec
        unverified += [f"inputs.properties.{item.name}: {note}" for note in item.notes]
        if item.guarded_by_others:
            others = ", ".join(sorted(item.guarded_by_others))
            unverified.append(f"inputs.properties.{item.name}: used only when {others} is given")
        todo.append(f"inputs.properties.{item.name}.description")
    spec_part = (job or {}).get("job", {}).get("Spec", {}) if isinstance(job, dict) else {}
    machine = _machine(job, todo)
    timeout = spec_part.get("Timeout") if _count(spec_part.get("Timeout")) and spec_part["Timeout"] > 0 else None
    module: dict[str, Any] = {
        "cmd": cmd or (f"{repository}:{commit}" if repository and commit else f"{name}:TODO"),
        "repository": repository or "github.com/TODO/TODO",
        "template": "lilypad_module.json.tmpl",
    }
    if commit:
        module["commit"] = commit
    image = (spec_part.get("Docker") or {}).get("Image") if isinstance(spec_part.get("Docker"), dict) else None
    if isinstance(image, str):
        module["image"] = image
        if "@sha256:" not in image:
            unverified.append(f"module.image: {image!r} is a tag, which can move; a digest pins it")
    if not cmd:
        todo.append("module.cmd")
    if not repository:
        todo.append("module.repository")
    if not commit:
        todo.append("module.commit: the commit that pins the template")
    todo += ["runtime.typicalSeconds: measure a run", "deterministic: whether the same inputs give the same bytes"]
    return {
        "$schema": "../schemas/module.schema.json",
        "name": name,
        "title": "TODO",
        "description": "TODO",
        "module": module,
        "inputs": {
            "type": "object",
            "additionalProperties": False,
            "required": [i.name for i in inputs.values() if i.required],
            "properties": properties,
        },
        "outputs": {
            "primary": "stdout",
            "files": [
                {"path": "stdout", "mediaType": "text/plain", "description": "What the module printed."},
                {"path": "stderr", "mediaType": "text/plain", "description": "Diagnostics of the run."},
            ],
        },
        "machine": machine,
        "runtime": {"typicalSeconds": timeout or 60, **({"timeoutSeconds": timeout} if timeout else {})},
        "cost": {"v2": V2_PRICE},
        "deterministic": False,
        "unverified": unverified,
        "todo": todo,
    }


def name_for(path: Path, repository: str | None) -> str:
    """A catalog name from the repository (`lilypad-module-` dropped) or, without one, the template's folder."""
    base = repository.rstrip("/").rsplit("/", 1)[-1] if repository else path.resolve().parent.name
    base = re.sub(r"^(lilypad-module-|module-)", "", base.lower())
    return _NAME_CLEAN.sub("-", base).strip("-._")[:64] or "module"


# ---- the analysis


def _analyse(nodes: list[Node]) -> dict[str, _Input]:
    found: dict[str, _Input] = {}

    def visit(children: list[Node], guards: frozenset[str]) -> None:
        for node in children:
            if isinstance(node, Action):
                for variable in node.fields:
                    item = found.setdefault(variable, _Input(variable))
                    item.notes += [note for note in _use_notes(node) if note not in item.notes]
                    if variable not in guards:
                        item.required = True
                        item.guarded_by_others |= guards
                continue
            if not isinstance(node, Block):
                continue
            guard = node.guard
            for variable in node.condition.fields:
                found.setdefault(variable, _Input(variable))
            if guard is None and node.kind != "range" and node.condition.fields:
                found[node.condition.fields[0]].notes.append(
                    f"line {node.line}: the condition {{{{{node.kind} {node.condition.source}}}}} is not one input"
                )
            if node.kind == "range":
                for variable in node.condition.fields:
                    found[variable].notes.append(f"line {node.line}: ranged over; the draft cannot type it")
            inner = guards | {guard} if guard else guards
            visit(node.body, inner)
            visit(node.otherwise or [], guards)
            if guard and node.kind == "if":
                _default(found[guard], node)

    visit(nodes, frozenset())
    for item in found.values():
        if item.required:  # a test somewhere else does not make it optional: it is used unguarded
            item.default = None
    return found


def _default(item: _Input, block: Block) -> None:
    """The default an `{{if .X}}…{{else}}literal{{end}}` gives X, when the literal is in the branch's shape."""
    if block.otherwise is None:
        item.notes.append(f"line {block.line}: when {item.name} is not given the template writes nothing in its place")
        return
    body = [node for node in block.body if not (isinstance(node, Text) and not node.text.strip())]
    otherwise = [node for node in block.otherwise if not (isinstance(node, Text) and not node.text.strip())]
    if len(otherwise) != 1 or not isinstance(otherwise[0], Text):
        item.notes.append(f"line {block.line}: the {{{{else}}}} branch is not a literal; no default derived")
        return
    literal = otherwise[0].text.strip()
    actions = [node for node in body if isinstance(node, Action)]
    if len(actions) != 1 or actions[0].fields != [item.name] or any(isinstance(n, Block) for n in body):
        item.notes.append(f"line {block.line}: the {{{{if}}}} branch is not one use of {item.name}; no default derived")
        return
    index = body.index(actions[0])
    before = "".join(n.text for n in body[:index] if isinstance(n, Text)).lstrip()
    after = "".join(n.text for n in body[index + 1 :] if isinstance(n, Text)).rstrip()
    value = _invert(actions[0], before, after, literal)
    if value is None:
        item.notes.append(
            f"line {block.line}: the {{{{else}}}} branch writes {literal[:80]} where the {{{{if}}}} branch writes "
            f"{before}{{{{{actions[0].source}}}}}{after}; not the same shape, so no default derived"
        )
        return
    item.default = value
    if _is_escaped(actions[0]):
        item.notes.append(f"line {block.line}: the default reaches the module without the quotes a given value has")


def _use_notes(action: Action) -> list[str]:
    """What a person should know about how `action` passes its value on."""
    words = {command[0].text for command in action.commands if command[0].kind == "word"}
    notes = []
    if _is_escaped(action):
        notes.append(f"`{action.source}` escapes the JSON-encoded value: the module receives it with its quotes")
    if words & {"subst", "subt"}:
        notes.append(
            f"`{action.source}` writes the decoded value unescaped into the JSON job: a value holding a quote "
            "or a backslash breaks the job or adds to it"
        )
    return notes


def _is_escaped(action: Action) -> bool:
    """Whether the action escapes the JSON-encoded value rather than decoding it (js, html, urlquery)."""
    words = [command[0].text for command in action.commands if command[0].kind == "word"]
    return any(word in ("js", "html", "urlquery") for word in words) and not any(w in ("subst", "subt") for w in words)


def _invert(action: Action, before: str, after: str, literal: str) -> str | None:
    """The input value whose rendering by `before{{action}}after` is `literal`, for the shapes modules use."""
    if not (literal.startswith(before) and literal.endswith(after) and len(literal) >= len(before) + len(after)):
        return None
    middle = literal[len(before) : len(literal) - len(after)]
    in_string = _inside_string(before)
    words = [command[0].text for command in action.commands if command[0].kind == "word"]
    if not in_string:  # a raw `{{.X}}`: the value is written JSON-encoded, so the literal is a JSON string
        if words:
            return None
        try:
            value = json.loads(middle)
        except json.JSONDecodeError:
            return None
        return value if isinstance(value, str) else None
    try:
        text = json.loads(f'"{middle}"')
    except json.JSONDecodeError:
        return None
    formats = [command[1].value for command in action.commands if command[0].text in ("subst", "subt", "printf")]
    if formats:
        pattern = re.escape(formats[0]).replace("%s", "(.*)").replace("%v", "(.*)")
        match = re.fullmatch(pattern, text, re.DOTALL)
        return match.group(1) if match and match.re.groups == 1 else None
    return text if set(words) <= {"js", "html", "urlquery"} else None


def _inside_string(text: str) -> bool:
    """Whether `text` ends inside a JSON string (an odd number of unescaped quotes)."""
    return len(re.findall(r'(?<!\\)(?:\\\\)*"', text)) % 2 == 1


def _rendered(nodes: list[Node], inputs: dict[str, str], unverified: list[str], case: str) -> Any:
    try:
        text = go_template.render(nodes, inputs)
    except RenderError as error:
        unverified.append(f"the template could not be rendered with {case}: {error}")
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        unverified.append(f"with {case} the template renders invalid JSON: {error.msg} at line {error.lineno}")
        return None


def _places(job: Any, inputs: dict[str, _Input]) -> dict[str, str]:
    """Where each input lands in the rendered job: a JSON path and the string around it."""
    places: dict[str, str] = {}
    for path, text in _strings(job, ()):
        for name in inputs:
            marker = _MARKER.format(name)
            if marker in text and name not in places:
                shown = text.replace(f'"{marker}"', "…").replace(marker, "…")
                places[name] = json_path(path) + (f" (`{shown[:80]}`)" if shown != "…" else "")
    return places


def _strings(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _strings(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _strings(child, (*path, index))


def _machine(job: Any, todo: list[str]) -> dict[str, int]:
    machine = job.get("machine") if isinstance(job, dict) else None
    if not isinstance(machine, dict):
        todo.append("machine: the template has no readable `machine`")
        return {"gpu": 0, "cpu": 1000, "ram": 1000}
    out = {key: machine[key] for key in ("gpu", "vram", "cpu", "ram") if _count(machine.get(key))}
    for key in ("gpu", "cpu", "ram"):
        if key not in out:
            todo.append(f"machine.{key}: the template's machine has {json.dumps(machine.get(key))[:40]}, not a count")
            out[key] = 0
    return out


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53


def verified_draft(draft: dict[str, Any], source: str) -> dict[str, Any]:
    """`draft`, once the schema and the catalog's checks find nothing wrong but its `todo`: a draft is never
    written that the catalog would refuse for another reason (CatalogEntryInvalid lists what)."""
    from tinyhops.catalog.entries import entry_problems
    from tinyhops.errors import CatalogEntryInvalid

    problems = [problem for problem in entry_problems(draft) if problem.path != "$.todo"]
    if problems:
        raise CatalogEntryInvalid(f"{source} (drafted)", problems)
    return draft
