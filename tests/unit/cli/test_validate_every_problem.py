"""`validate` reports every problem of a file in one run, in words, through the real commands.

Schema problems and problems of meaning (duplicate id, unknown `needs`, self-reference, cycle, cost under 1 wei,
empty `cmd`) come together, wherever the document is readable enough to check; a trailing comma is a problem of
its own at its line and column; a misspelt property suggests the right one; no message is a regular expression;
a file that cannot be read is named without a JSON path. `tiny-hops validate` and `ape run validate` alike, exit 1.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from cli_processes import APE, Finished, launch, tiny_hops
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import DEFECTS, steps_in_file_order
from strategies import GeneratedWorkflow, workflows

from tinyhops import spec
from tinyhops.paths import PROJECT_ROOT
from tinyhops.testing import shapes

# Every regular expression of the schema: none may reach a user.
SCHEMA_PATTERNS = re.findall(r'"pattern": "([^"]+)"', spec.SCHEMA_PATH.read_text(encoding="utf-8"))

# One of everything a first file gets wrong (the README shows what validate says of it).
BROKEN = (Path(__file__).resolve().parents[2] / "data" / "broken.thops.json").read_text(encoding="utf-8")
UNITS = "wei, kwei, mwei, gwei, szabo, finney, ether, eth"
BROKEN_REPORT = f"""broken.thops.json: invalid, 18 problems:
  trailing comma at line 5 column 109: JSON allows no comma after the last item of an object (remove it)
  $.steps[0].needs[0] (step 1): needs step 1, which is this step itself
  $.steps[0].needs[1] (step 1): needs step 9, but no step has that id
  $.steps[0].retries (step 1): must be at most 5, not 6
  $.steps[0].stepModule.cmd (step 1): the module name is empty; it must be name:version, such as cowsay:v0.0.1
  $.steps[0].stepModule.cost (step 1): cost '-1' is not an amount: write ether as a plain decimal ("5", "0.25") \
or an amount with a unit ("3 gwei", "100 wei"; units {UNITS})
  $.steps[0].stepModule.parms (step 1): unknown property "parms"; did you mean "params"?
  $.steps[1].stepId (step 1): step id 1 is already used at $.steps[0]
  $.steps[1].stepModul (step 1): unknown property "stepModul"; did you mean "stepModule"?
  $.steps[2] (step 3): dependency cycle 3 -> 4 -> 3
  $.steps[2].stepModule.cost (step 3): cost '0.5 wei' is not a whole number of wei
  $.steps[2].stepModule.params (step 3): params reference step 3, which is this step itself
  $.steps[3].outputs[0].mediaType (step 4): a media type looks like "text/plain" or "image/png" (type/subtype); \
not "text"
  $.steps[3].outputs[0].name (step 4): must not be empty
  $.steps[3].stepModule.cost (step 4): must be an amount such as "5" or "3 gwei" (a string or a number), not true
  $.steps[4]: an entry of steps is a step (an object) or a parallel group (an array of steps), not the number 7
  $.stepz: unknown property "stepz" (known here: $schema, version, name, description, parameters, runner, keeper, steps)
  $.version: the format version looks like "v0.0.1" (three numbers separated by dots, "v" optional); not "1.0"
"""


def _no_regex(text: str) -> None:
    for pattern in SCHEMA_PATTERNS:
        assert pattern.encode().decode("unicode_escape") not in text and pattern not in text, text
    assert "does not match" not in text and "is not valid under any of the given schemas" not in text, text


def test_schema_and_meaning_problems_all_at_once_through_tiny_hops(tmp_path: Path) -> None:
    (tmp_path / "broken.thops.json").write_text(BROKEN, encoding="utf-8")
    result = Finished.of(tiny_hops("validate", "broken.thops.json", cwd=tmp_path))
    assert result.code == 1, result
    assert result.stdout == BROKEN_REPORT, result
    assert result.stderr == "", result
    _no_regex(result.stdout)


def test_ape_run_validate_reports_the_same(tmp_path: Path) -> None:
    broken = tmp_path / "broken.thops.json"
    broken.write_text(BROKEN, encoding="utf-8")
    result = Finished.of(launch([APE, "run", "validate", broken], PROJECT_ROOT), timeout=120)
    assert result.code == 1, result
    assert result.stdout == BROKEN_REPORT.replace("broken.thops.json", str(broken), 1), result
    assert "Traceback" not in result.stderr, result


def test_a_file_with_one_of_every_defect_reports_each_where_it_is(tmp_path: Path) -> None:
    document = shapes.chain(len(DEFECTS) + 1)
    placed = steps_in_file_order(document)
    expected = []
    for (path, step), defect in zip(placed[1:], DEFECTS.values(), strict=False):
        expected.append(path + defect(step, 1, 424242))
    (tmp_path / "defects.thops.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    result = Finished.of(tiny_hops("validate", "defects.thops.json", cwd=tmp_path))
    assert result.code == 1, result
    header, *lines = result.stdout_lines
    assert re.fullmatch(r"defects\.thops\.json: invalid, (\d+) problems:", header), result
    for where in expected:
        assert any(line.startswith(f"  {where} (step ") for line in lines), f"nothing at {where}\n{result}"
    _no_regex(result.stdout)


def test_a_trailing_comma_is_its_own_line_and_the_rest_is_still_checked(tmp_path: Path) -> None:
    text = (
        '{\n  "version": "v0.0.1",\n  "steps": [\n    {"stepId": "1", "stepModule": {"cmd": "cowsay:v0.0.1", '
        '"params": "x", "cost": "0"}},\n  ],\n}\n'
    )
    (tmp_path / "commas.thops.json").write_text(text, encoding="utf-8")
    result = Finished.of(tiny_hops("validate", "commas.thops.json", cwd=tmp_path))
    assert result.code == 1, result
    assert result.stdout_lines == [
        "commas.thops.json: invalid, 3 problems:",
        "  trailing comma at line 4 column 88: JSON allows no comma after the last item of an array (remove it)",
        "  trailing comma at line 5 column 4: JSON allows no comma after the last item of an object (remove it)",
        "  $.steps[0].stepModule.cost (step 1): cost '0' must be greater than zero",
    ], result


def test_a_syntax_error_names_line_and_column_in_words(tmp_path: Path) -> None:
    (tmp_path / "bad.thops.json").write_text('{"version": "v0.0.1" "steps": []}', encoding="utf-8")
    result = Finished.of(tiny_hops("validate", "bad.thops.json", cwd=tmp_path))
    assert (result.code, result.stdout_lines) == (
        1,
        ["bad.thops.json: invalid JSON at line 1 column 22: expected a comma or a closing bracket"],
    ), result


def test_a_missing_file_is_named_without_a_json_path(tmp_path: Path) -> None:
    validated = Finished.of(tiny_hops("validate", "nosuch.thops.json", cwd=tmp_path))
    assert (validated.code, validated.stdout_lines) == (1, ["nosuch.thops.json: no such file"]), validated
    inspected = Finished.of(tiny_hops("inspect", "nosuch.thops.json", cwd=tmp_path))
    assert inspected.one_line_error() == "error: nosuch.thops.json: no such file"
    drawn = Finished.of(tiny_hops("graph", "nosuch.thops.json", cwd=tmp_path))
    assert "$:" not in drawn.stdout + drawn.stderr, drawn


def test_counts_are_singular_for_one(tmp_path: Path) -> None:
    (tmp_path / "one.thops.json").write_text(json.dumps(shapes.chain(1)), encoding="utf-8")
    validated = Finished.of(tiny_hops("validate", "one.thops.json", cwd=tmp_path))
    assert validated.code == 0, validated
    assert ": valid. 1 step, 0 edges, depth 1, widest level 1;" in validated.stdout, validated
    (tmp_path / "two.thops.json").write_text(json.dumps(shapes.chain(2)), encoding="utf-8")
    inspected = Finished.of(tiny_hops("inspect", "two.thops.json", cwd=tmp_path))
    assert inspected.code == 0, inspected
    assert ": valid. 2 steps, 1 edge, depth 2," in inspected.stdout, inspected


def test_an_eth_cost_is_accepted_and_the_schema_names_every_unit() -> None:
    from tinyhops.spec.units import WEI_PER_UNIT

    cost = spec.schema()["$defs"]["stepModule"]["properties"]["cost"]["description"]
    assert f"units {', '.join(WEI_PER_UNIT)};" in cost
    document = shapes.chain(1)
    document["steps"][0]["stepModule"]["cost"] = "2 ETH"
    assert spec.load(document).steps[0].cost_wei == 2 * 10**18


# The property: defects injected into distinct steps of any valid workflow are each reported, in one run.

DEFECT_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@DEFECT_SETTINGS
@given(workflows, st.data())
def test_every_injected_defect_is_reported_in_one_run(generated: GeneratedWorkflow, data: st.DataObject) -> None:
    document: dict[str, Any] = copy.deepcopy(generated.document)
    placed = steps_in_file_order(document)
    positions = data.draw(st.permutations(range(len(placed))))
    names = data.draw(st.lists(st.sampled_from(sorted(DEFECTS)), min_size=1, max_size=len(placed)))
    first_id = int(placed[0][1]["stepId"])
    absent = max(generated.ids) + 1
    expected = []
    for position, name in zip(positions, names, strict=False):
        if name == "duplicate id" and position == 0:
            continue  # a duplicate is reported where the id is used again
        path, step = placed[position]
        expected.append((name, path + DEFECTS[name](step, first_id, absent)))
    reported = spec.problems(document)
    paths = {p.path for p in reported}
    for name, where in expected:
        assert where in paths, f"{name} at {where} not reported:\n" + "\n".join(map(str, reported))
    assert len(reported) >= len(expected)
    for problem in reported:
        assert "\n" not in str(problem)
        _no_regex(str(problem))
