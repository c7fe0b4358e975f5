"""Reading the catalog: every `catalog/<name>.json` checked against the module schema and for what the schema
cannot say (the file name is the entry's name, required inputs exist, defaults fit their input, the primary
output is one of the files, no unfinished draft), all problems at once, each with its JSON path."""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tinyhops.errors import CatalogEntryInvalid, CatalogError, Problem, UnknownModule, json_path

# Installed, the wheel carries the catalog and its schema beside this module; in a checkout they are read
# from catalog/ and schemas/ at its root.
_HERE = Path(__file__).resolve().parent
_ROOT = _HERE.parents[1]
CATALOG_DIR = _HERE / "entries" if (_HERE / "entries").is_dir() else _ROOT / "catalog"
SCHEMA_PATH = (
    _HERE / "module.schema.json"
    if (_HERE / "module.schema.json").is_file()
    else _ROOT / "schemas" / "module.schema.json"
)


# A folder of entries to use instead of the shipped catalog (a team's own modules, a test's).
CATALOG_VARIABLE = "TINYHOPS_CATALOG"


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


def _problem(path: tuple[str | int, ...], message: str) -> Problem:
    return Problem("catalog", json_path(path), message)


def entry_problems(document: Any, expected_name: str | None = None) -> list[Problem]:
    """Every problem of one entry document (empty: it is a usable entry)."""
    found = [
        _problem(tuple(error.absolute_path), error.message)
        for error in sorted(_validator().iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    ]
    if found or not isinstance(document, dict):
        return found
    if expected_name is not None and document["name"] != expected_name:
        found.append(_problem(("name",), f"is {document['name']!r}, but the file is named {expected_name}.json"))
    if document.get("todo"):
        found.append(_problem(("todo",), f"the draft is unfinished: {'; '.join(document['todo'])}"))
    found += _inputs_problems(document["inputs"])
    params = document.get("params")
    if params and "textInput" in params and params["textInput"] not in document["inputs"]["properties"]:
        found.append(_problem(("params", "textInput"), f"names input {params['textInput']!r}, which is not an input"))
    paths = [file["path"] for file in document["outputs"]["files"]]
    for index, path in enumerate(paths):
        if path in paths[:index]:
            found.append(_problem(("outputs", "files", index, "path"), f"{path!r} is listed twice"))
    if document["outputs"]["primary"] not in paths:
        found.append(_problem(("outputs", "primary"), f"{document['outputs']['primary']!r} is not one of the files"))
    return found


def _inputs_problems(inputs: Mapping[str, Any]) -> list[Problem]:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    found: list[Problem] = []
    try:
        Draft202012Validator.check_schema(inputs)
    except SchemaError as error:
        return [_problem(("inputs", *error.absolute_path), f"not a valid JSON Schema: {error.message}")]
    for index, name in enumerate(inputs.get("required", [])):
        if name not in inputs["properties"]:
            found.append(_problem(("inputs", "required", index), f"requires {name!r}, which is not an input"))
    for name, spec in inputs["properties"].items():
        if "default" in spec:
            for error in Draft202012Validator(spec).iter_errors(spec["default"]):
                found.append(
                    _problem(("inputs", "properties", name, "default"), f"does not fit the input: {error.message}")
                )
    return found


@dataclass(frozen=True)
class ModuleEntry:
    """One checked catalog entry; `document` is the entry as written (what `show` and the MCP server give)."""

    document: Mapping[str, Any]

    @property
    def name(self) -> str:
        return self.document["name"]

    @property
    def cmd(self) -> str:
        return self.document["module"]["cmd"]

    @property
    def title(self) -> str:
        return self.document["title"]

    @property
    def description(self) -> str:
        return self.document["description"]

    @property
    def inputs(self) -> Mapping[str, Any]:
        return self.document["inputs"]

    @property
    def primary_output(self) -> str:
        return self.document["outputs"]["primary"]

    @property
    def deterministic(self) -> bool:
        return self.document["deterministic"]

    def price(self, backend: str) -> int | None:
        """What one attempt costs on `backend` (`v1`: wei, `v2`: token units), or None when not known."""
        entry = self.document["cost"].get(backend)
        return int(entry["amount"]) if entry else None

    def summary(self) -> dict[str, Any]:
        """The few fields a listing shows."""
        return {
            "name": self.name,
            "cmd": self.cmd,
            "title": self.title,
            "description": self.description,
            "inputs": sorted(self.inputs["properties"]),
            "required": list(self.inputs.get("required", [])),
            "primaryOutput": self.primary_output,
            "deterministic": self.deterministic,
            "cost": {backend: price["amount"] for backend, price in self.document["cost"].items()},
        }


@dataclass(frozen=True)
class Catalog:
    """Every entry, by name; `find` also takes a module's `cmd` (`cowsay:v0.0.1`)."""

    entries: tuple[ModuleEntry, ...]

    def __iter__(self) -> Iterator[ModuleEntry]:
        return iter(self.entries)

    def get(self, name_or_cmd: str) -> ModuleEntry | None:
        for entry in self.entries:
            if name_or_cmd in (entry.name, entry.cmd):
                return entry
        return None

    def find(self, name_or_cmd: str) -> ModuleEntry:
        entry = self.get(name_or_cmd)
        if entry is not None:
            return entry
        known = [entry.name for entry in self.entries]
        close = difflib.get_close_matches(name_or_cmd, known + [entry.cmd for entry in self.entries], n=1)
        raise UnknownModule(name_or_cmd, known, close[0] if close else None)


def read_entry(path: Path) -> ModuleEntry:
    """One entry file, checked; CatalogEntryInvalid lists every problem."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogError(f"{path}: cannot be read: {error}") from None
    except json.JSONDecodeError as error:
        raise CatalogError(f"{path}: not JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    problems = entry_problems(document, expected_name=path.stem)
    if problems:
        raise CatalogEntryInvalid(str(path), problems)
    return ModuleEntry(document)


def load_catalog(directory: Path | None = None) -> Catalog:
    """Every entry of `directory` (default: the shipped catalog), sorted by name; two entries with the same
    `cmd` are refused."""
    folder = directory or CATALOG_DIR
    if not folder.is_dir():
        raise CatalogError(f"{folder}: no catalog folder")
    entries = tuple(sorted((read_entry(path) for path in folder.glob("*.json")), key=lambda entry: entry.name))
    seen: dict[str, str] = {}
    for entry in entries:
        if entry.cmd in seen:
            raise CatalogError(f"{folder}: {entry.name} and {seen[entry.cmd]} both describe module {entry.cmd}")
        seen[entry.cmd] = entry.name
    return Catalog(entries)


def shipped_catalog() -> Catalog:
    """The catalog in use: $TINYHOPS_CATALOG's folder when set, else the one shipped with the package."""
    configured = os.environ.get(CATALOG_VARIABLE)
    return _cached(Path(configured) if configured else CATALOG_DIR)


@cache
def _cached(folder: Path) -> Catalog:
    return load_catalog(folder)
