"""Near-valid and invalid workflow documents for the bad-input tests: valid documents (strategies.py) with a
few mutations each, arbitrary JSON, and corrupted file bytes. (hypothesis-jsonschema does not work with this
Hypothesis version; mutating valid documents reaches deeper into the validator anyway.)"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st
from strategies import dag_workflows, level_workflows

from tinyhops.errors import json_path

# Valid documents to start from: small ones (a mutation needs no more), in both spellings.
BASES = st.one_of(dag_workflows(max_steps=6), level_workflows(max_levels=3))
# Values that sit on the edge of what some field accepts.
EDGES = st.sampled_from(
    [
        0,
        -1,
        1,
        5.0,
        2.5,
        -0.0,
        1e300,
        2**64 - 1,
        2**64,
        2**96,
        10**30,
        True,
        False,
        None,
        [],
        {},
        "",
        " ",
        "1",
        "01",
        "-1",
        "1e3",
        "0x10",
        "NaN",
        "Infinity",
        "1 wei",
        "0 wei",
        "1 foo",
        "0.0000000000000000001",
        "79228162514264337593543950336 wei",
        "{{stepId:",
        "{{stepId:1}}",
        "{{stepId:999}}",
        "\\{{stepId:1}}",
        "{{stepId:-1}}",
        "{{ stepId:1 }}",
        "fetch-data",
        "{{stepId:fetch-data}}",
        "{{stepId:1x}}",
        "{{param:x}}",
        "\\{{param:x}}",
        {"x": {"type": "string"}},
        {"x": {"type": "integer", "default": "1"}},
        "cowsay:v0.0.1",
        "cowsay",
        ":",
        "a:b\n",
        "nosuchmodule:v9",
        "x" * 200,
        "é🐄",
        "\u0000",
        ["1"],
        [1, 1],
        ["999"],
        [[]],
        {"stepId": "1"},
        {"Message": "hi {{stepId:1}}"},
        {"Prompt": "a=b", "": "x"},
        "v0.0.1",
        "0.0.1",
        "v1",
        31536001,
        6,
        5,
        -5,
        2**32,
    ]
)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), st.text(max_size=12)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
KEYS = st.sampled_from(
    [
        "stepId",
        "stepModule",
        "cmd",
        "params",
        "inputs",
        "cost",
        "needs",
        "parameters",
        "timeout",
        "retries",
        "outputs",
        "name",
        "version",
        "steps",
        "stepName",
        "stepDesc",
        "mediaType",
        "description",
        "$schema",
        "extra",
        "needz",
        "Cost",
    ]
)


def _nodes(document: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every node of a JSON tree, the root included."""
    found = [path]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _nodes(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _nodes(value, (*path, index))
    return found


def _get(document: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


def _steps(document: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for entry in document.get("steps", []) if isinstance(document.get("steps"), list) else []:
        out += [s for s in (entry if isinstance(entry, list) else [entry]) if isinstance(s, dict)]
    return out


@st.composite
def mutate(draw: st.DrawFn, document: dict[str, Any]) -> Any:
    """One mutation of `document`: a value replaced, a key dropped or added, an item copied, a dependency made
    to point at itself, at nothing or backwards (a cycle), a reference spliced into params."""
    document = copy.deepcopy(document)
    kind = draw(st.sampled_from(["replace", "drop", "add", "copy", "needs", "reference", "integral float"]))
    path = draw(st.sampled_from(_nodes(document)))
    steps = _steps(document)
    if kind == "replace":
        value = draw(st.one_of(EDGES, JSON))
        if not path:
            return value
        _get(document, path[:-1])[path[-1]] = value
    elif kind == "drop" and path:
        parent = _get(document, path[:-1])
        del parent[path[-1]]
    elif kind == "add":
        node = _get(document, path)
        if isinstance(node, dict):
            node[draw(KEYS)] = draw(st.one_of(EDGES, JSON))
        elif isinstance(node, list):
            node.insert(draw(st.integers(0, len(node))), draw(st.one_of(EDGES, JSON)))
    elif kind == "copy":
        node = _get(document, path)
        if isinstance(node, list) and node:
            node.append(copy.deepcopy(draw(st.sampled_from(node))))
    elif kind == "needs" and steps:
        step = draw(st.sampled_from(steps))
        other = draw(st.sampled_from(steps))
        target = draw(st.sampled_from([step.get("stepId"), other.get("stepId"), "424242", 7.0, ""]))
        if not isinstance(step.get("needs"), list):
            step["needs"] = []
        step["needs"].append(target)
    elif kind == "reference" and steps:
        step = draw(st.sampled_from(steps))
        module = step.get("stepModule")
        if isinstance(module, dict) and isinstance(module.get("params"), str):
            other = draw(st.sampled_from(steps))
            target = draw(st.sampled_from([other.get("stepId"), "424242", "x", ""]))
            cut = draw(st.integers(0, len(module["params"])))
            module["params"] = module["params"][:cut] + f"{{{{stepId:{target}}}}}" + module["params"][cut:]
    elif kind == "integral float":
        node = _get(document, path)
        if isinstance(node, int) and not isinstance(node, bool) and path:
            _get(document, path[:-1])[path[-1]] = float(node)
    return document


@st.composite
def near_valid_documents(draw: st.DrawFn) -> Any:
    """A valid document with one to three mutations (each may leave it valid)."""
    document: Any = draw(BASES).document
    for _ in range(draw(st.integers(1, 3))):
        if not isinstance(document, dict):
            break
        document = draw(mutate(document))
    return document


@st.composite
def corrupted_texts(draw: st.DrawFn) -> bytes:
    """The bytes of a document, broken: cut short, spliced with junk or invalid UTF-8, deeply nested, a huge
    number, a byte order mark, nothing at all."""
    text = json.dumps(draw(near_valid_documents()), ensure_ascii=draw(st.booleans()))
    data = text.encode("utf-8", "surrogatepass")
    kind = draw(st.sampled_from(["cut", "splice", "bytes", "nest", "number", "bom", "empty"]))
    at = draw(st.integers(0, len(data)))
    if kind == "cut":
        return data[:at]
    if kind == "splice":
        junk = draw(st.sampled_from([b"{", b"}", b"[", b",", b'"', b"\\", b":", b"null", b"\x00"]))
        return data[:at] + junk + data[at:]
    if kind == "bytes":
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    if kind == "nest":
        depth = draw(st.sampled_from([50, 101, 1000, 200_000]))
        return b'{"version": "v0.0.1", "steps": ' + b"[" * depth + b"]" * depth + b"}"
    if kind == "number":
        digits = draw(st.sampled_from([20, 80, 4301, 10_000]))
        return data.replace(b'"stepId": "', b'"stepId": ' + b"9" * digits + b', "x": "', 1)
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    return b""


# One defect in one step, schema and meaning alike, and the JSON path (relative to the step) where validate must
# report it: each changes the step's body, given the id of a step written before it and an id no step has.
def _bad_cost(step: dict[str, Any], _earlier: int, _absent: int) -> str:
    step["stepModule"]["cost"] = "-1"
    return ".stepModule.cost"


def _sub_wei_cost(step: dict[str, Any], _earlier: int, _absent: int) -> str:
    step["stepModule"]["cost"] = "0.5 wei"
    return ".stepModule.cost"


def _empty_cmd(step: dict[str, Any], _earlier: int, _absent: int) -> str:
    step["stepModule"]["cmd"] = ""
    return ".stepModule.cmd"


def _misspelt_params(step: dict[str, Any], _earlier: int, _absent: int) -> str:
    step["stepModule"]["parms"] = step["stepModule"].pop("params")
    return ".stepModule.parms"


def _too_many_retries(step: dict[str, Any], _earlier: int, _absent: int) -> str:
    step["retries"] = 9
    return ".retries"


def _negative_timeout(step: dict[str, Any], _earlier: int, _absent: int) -> str:
    step["timeout"] = -1
    return ".timeout"


def _unknown_property(step: dict[str, Any], _earlier: int, _absent: int) -> str:
    step["stepNmae"] = "typo"
    return ".stepNmae"


def _needs_itself(step: dict[str, Any], _earlier: int, _absent: int) -> str:
    step["needs"] = [*step.get("needs", []), step["stepId"]]
    return f".needs[{len(step['needs']) - 1}]"


def _needs_nothing_there(step: dict[str, Any], _earlier: int, absent: int) -> str:
    step["needs"] = [*step.get("needs", []), str(absent)]
    return f".needs[{len(step['needs']) - 1}]"


def _duplicate_id(step: dict[str, Any], earlier: int, _absent: int) -> str:
    step["stepId"] = str(earlier)
    return ".stepId"


def _malformed_reference(step: dict[str, Any], _earlier: int, _absent: int) -> str:
    step["stepModule"]["params"] = "{{stepId:x}}"
    return ".stepModule.params"


def _inputs_instead(step: dict[str, Any], inputs: dict[str, str]) -> str:
    """Give the step `inputs` in place of its params; the path of their first entry."""
    step["stepModule"].pop("params")
    step["stepModule"]["inputs"] = inputs
    return ".stepModule.inputs" + json_path([next(iter(inputs))])[1:]


def _equals_in_input(step: dict[str, Any], _earlier: int, _absent: int) -> str:
    return _inputs_instead(step, {"request": "eyJ9Cg==", "Style": "cow"})  # base64 padding: dropped on v2


def _separator_in_input(step: dict[str, Any], _earlier: int, _absent: int) -> str:
    return _inputs_instead(step, {"Message": "one\x1etwo"})


def _empty_input_name(step: dict[str, Any], _earlier: int, _absent: int) -> str:
    return _inputs_instead(step, {"": "x"})


def _input_name_with_space(step: dict[str, Any], _earlier: int, _absent: int) -> str:
    return _inputs_instead(step, {"my message": "x"})


def _params_and_inputs(step: dict[str, Any], _earlier: int, _absent: int) -> str:
    step["stepModule"]["inputs"] = {"Message": "x"}
    return ".stepModule"


DEFECTS = {
    "cost -1": _bad_cost,
    "cost under 1 wei": _sub_wei_cost,
    "empty cmd": _empty_cmd,
    "misspelt params": _misspelt_params,
    "retries over 5": _too_many_retries,
    "negative timeout": _negative_timeout,
    "unknown property": _unknown_property,
    "self-reference": _needs_itself,
    "unknown needs": _needs_nothing_there,
    "duplicate id": _duplicate_id,
    "malformed reference": _malformed_reference,
    "= in an input value": _equals_in_input,
    "0x1e in an input value": _separator_in_input,
    "empty input name": _empty_input_name,
    "input name with a space": _input_name_with_space,
    "params and inputs": _params_and_inputs,
}


def steps_in_file_order(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every step of a valid document with its JSON path, in the order they are written."""
    found = []
    for index, entry in enumerate(document["steps"]):
        if isinstance(entry, list):
            found += [(f"$.steps[{index}][{j}]", step) for j, step in enumerate(entry)]
        else:
            found.append((f"$.steps[{index}]", entry))
    return found
