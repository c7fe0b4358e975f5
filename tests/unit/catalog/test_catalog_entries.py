"""The shipped catalog: every entry valid against schemas/module.schema.json, one per module the local provider
runs with the price the local Lilypad charges, the modules LILYPAD.md names present; and the loader refuses a
bad entry with every problem at its JSON path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tinyhops.catalog import CATALOG_DIR, SCHEMA_PATH, entry_problems, load_catalog
from tinyhops.catalog.entries import read_entry
from tinyhops.chain.deploy import LOCAL_MODULE_COSTS
from tinyhops.errors import CatalogEntryInvalid, CatalogError, UnknownModule
from tinyhops.provider.modules import MODULES, sdxl

SCHEMA = json.loads(SCHEMA_PATH.read_text())
FILES = sorted(CATALOG_DIR.glob("*.json"))


def test_the_module_schema_is_a_2020_12_schema_with_an_id() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"].endswith("/module.schema.json")


def _undescribed(schema: Any, path: str) -> list[str]:
    """Paths of declared properties, at any depth of the schema, that have no description (an `if` only tests
    values, it declares nothing)."""
    if not isinstance(schema, dict):
        return []
    missing = [f"{path}.{name}" for name, child in schema.get("properties", {}).items() if "description" not in child]
    children = [(f"{path}.{name}", child) for name, child in schema.get("properties", {}).items()]
    children += [(f"{path}.$defs.{name}", child) for name, child in schema.get("$defs", {}).items()]
    children += [
        (f"{path}.{key}", schema[key]) for key in ("items", "additionalProperties", "then", "else") if key in schema
    ]
    for where, child in children:
        missing += _undescribed(child, where)
    return missing


def test_every_property_of_the_schema_is_described() -> None:
    assert _undescribed(SCHEMA, "$") == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_entry_is_valid_against_the_schema(path: Path) -> None:
    document = json.loads(path.read_text())
    Draft202012Validator(SCHEMA).validate(document)
    assert entry_problems(document, expected_name=path.stem) == []


def test_every_module_the_local_provider_runs_is_in_the_catalog_at_the_local_price() -> None:
    catalog = load_catalog()
    for cmd in MODULES:
        entry = catalog.find(cmd)
        assert entry.price("v1") == LOCAL_MODULE_COSTS[cmd], cmd


def test_the_modules_lilypad_documents_are_in_the_catalog() -> None:
    catalog = load_catalog()
    names = {entry.name for entry in catalog}
    assert {"cowsay", "lilysay", "sdxl", "sdxl-turbo", "kokoro", "wan2.1"} <= names
    llm = [entry for entry in catalog if "request" in entry.inputs["properties"]]
    assert llm, "an Ollama-style LLM taking a base64 request"
    request = llm[0].inputs["properties"]["request"]
    assert (request["contentEncoding"], request["contentMediaType"]) == ("base64", "application/json")
    assert "=" not in request["pattern"], "v2 drops a Key=Value whose value holds '='"
    assert set(catalog.find("kokoro").inputs["properties"]) == {"prompt", "voice"}


def test_a_pinned_module_names_a_full_commit_and_an_unpinned_one_says_so() -> None:
    for entry in load_catalog():
        module = entry.document["module"]
        if "commit" not in module:
            assert any(note.startswith("module") for note in entry.document.get("unverified", [])), entry.name


def test_the_sdxl_entry_matches_what_the_local_provider_accepts() -> None:
    inputs = load_catalog().find("sdxl").inputs["properties"]
    assert inputs["seed"]["default"] == sdxl.DEFAULT_SEED
    assert inputs["seed"]["maximum"] == sdxl.MAX_SEED
    for side in ("width", "height"):
        spec = inputs[side]
        assert (spec["default"], spec["minimum"], spec["maximum"]) == (sdxl.DEFAULT_SIZE, sdxl.MIN_SIZE, sdxl.MAX_SIZE)
    assert load_catalog().find("sdxl").primary_output == f"outputs/{sdxl.image_name(sdxl.DEFAULT_SEED)}"


def test_find_takes_a_name_or_a_cmd_and_suggests_a_near_miss() -> None:
    catalog = load_catalog()
    assert catalog.find("cowsay") is catalog.find("cowsay:v0.0.1")
    with pytest.raises(UnknownModule, match="did you mean 'cowsay'"):
        catalog.find("cowsy")
    with pytest.raises(UnknownModule, match=r"known: .*cowsay, "):
        catalog.find("zzzzzzzzzzzz")


def _cowsay() -> dict[str, Any]:
    return json.loads((CATALOG_DIR / "cowsay.json").read_text())


def _problems(document: dict[str, Any], name: str = "cowsay") -> list[str]:
    return [str(problem) for problem in entry_problems(document, expected_name=name)]


def test_what_the_schema_cannot_say_is_checked_each_at_its_path() -> None:
    document = _cowsay()
    document["inputs"]["required"] = ["Message", "Mesage"]
    document["inputs"]["properties"]["Message"]["default"] = 7
    document["outputs"]["primary"] = "outputs/cow.txt"
    document["params"]["textInput"] = "Text"
    document["todo"] = ["title"]
    document["outputs"]["files"].append(dict(document["outputs"]["files"][0]))
    assert _problems(document, "cow") == [
        "$.name: is 'cowsay', but the file is named cow.json",
        "$.todo: the draft is unfinished: title",
        "$.inputs.required[1]: requires 'Mesage', which is not an input",
        "$.inputs.properties.Message.default: does not fit the input: 7 is not of type 'string'",
        "$.params.textInput: names input 'Text', which is not an input",
        "$.outputs.files[2].path: 'stdout' is listed twice",
        "$.outputs.primary: 'outputs/cow.txt' is not one of the files",
    ]


def test_schema_violations_are_all_reported_with_their_paths() -> None:
    document = _cowsay()
    document["module"]["commit"] = "abc"
    document["cost"]["v1"]["amount"] = "1e18"
    document["machine"]["gpu"] = -1
    document["outputs"]["files"][0]["path"] = "/etc/passwd"
    del document["deterministic"]
    paths = {problem.split(":")[0] for problem in _problems(document)}
    assert paths == {"$", "$.module.commit", "$.cost.v1.amount", "$.machine.gpu", "$.outputs.files[0].path"}


def test_an_inputs_object_that_is_not_a_json_schema_is_refused() -> None:
    document = _cowsay()
    document["inputs"]["properties"]["Message"]["minLength"] = "one"
    assert _problems(document)[0].startswith("$.inputs.properties.Message.minLength: ")


def test_the_loader_refuses_a_bad_folder_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "cowsay.json").write_text((CATALOG_DIR / "cowsay.json").read_text())
    copy = _cowsay() | {"name": "cow2"}
    (tmp_path / "cow2.json").write_text(json.dumps(copy))
    with pytest.raises(CatalogError, match="cowsay and cow2 both describe module cowsay:v0.0.1"):
        load_catalog(tmp_path)
    (tmp_path / "cow2.json").write_text('{"name": "cow2",}')
    with pytest.raises(CatalogError, match=r"cow2.json: not JSON: .* line 1 column 17"):
        load_catalog(tmp_path)
    (tmp_path / "cow2.json").write_text(json.dumps(copy | {"title": ""}))
    with pytest.raises(CatalogEntryInvalid, match=r"cow2.json: \$.title: '' should be non-empty"):
        read_entry(tmp_path / "cow2.json")
