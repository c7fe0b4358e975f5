"""The hand-written corpus of invalid workflows in `tests/data/invalid/`.

Each `*.thops.json` file there has one defect (or, for the `two-problems*` files, two), and
`expected.json` lists, per file, every problem the validator must report: its kind, its JSON path,
a substring of its message and, for problems tied to one step, that step's id. A reported problem
whose kind is not expected for the file fails the test too.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tinyhops import errors, spec
from tinyhops.errors import Problem, WorkflowInvalid
from tinyhops.spec import limits, params

CORPUS = Path(__file__).resolve().parents[2] / "data" / "invalid"
EXPECTED_FILE = CORPUS / "expected.json"
SUFFIX = ".thops.json"
KINDS = {
    errors.SCHEMA,
    errors.DUPLICATE_ID,
    errors.UNKNOWN_STEP,
    errors.SELF_REFERENCE,
    errors.CYCLE,
    errors.BAD_MODULE,
    errors.BAD_COST,
    errors.BAD_TEMPLATE,
    errors.BAD_PARAMETER,
    errors.LIMIT,
    errors.UNREADABLE,
    errors.TRAILING_COMMA,
}
FILE_KINDS = {errors.UNREADABLE, errors.TRAILING_COMMA}
Expectation = dict[str, Any]


def _expected() -> dict[str, list[Expectation]]:
    return json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))


def _corpus_files() -> list[str]:
    return sorted(p.name for p in CORPUS.glob(f"*{SUFFIX}"))


def _json_files() -> list[str]:
    """Corpus files that parse as JSON (the others are only reachable through the file loader)."""
    names = []
    for name in _corpus_files():
        try:
            json.loads((CORPUS / name).read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        names.append(name)
    return names


def _all_names() -> list[str]:
    """Files and expectations together, so a name present on one side only still gets a (failing) case."""
    return sorted(set(_corpus_files()) | set(_expected()))


def _load_problems(path: Path) -> tuple[Problem, ...]:
    with pytest.raises(WorkflowInvalid) as info:
        spec.load(path)
    assert info.value.source == str(path)
    return info.value.problems


def _matches(problem: Problem, expected: Expectation) -> bool:
    return (
        problem.kind == expected["kind"]
        and problem.path == expected["path"]
        and expected["message"] in problem.message
        and ("step" not in expected or problem.step_id == expected["step"])
    )


def _describe(problems: tuple[Problem, ...]) -> str:
    return "\n".join(f"  [{p.kind}] {p}" for p in problems) or "  (none)"


def test_corpus_is_not_empty() -> None:
    assert len(_corpus_files()) >= 25


def test_every_file_has_an_expectation_and_every_expectation_a_file() -> None:
    files = set(_corpus_files())
    expected = set(_expected())
    assert not files - expected, f"corpus files without an entry in expected.json: {sorted(files - expected)}"
    assert not expected - files, f"expected.json entries without a corpus file: {sorted(expected - files)}"


def test_expectations_are_well_formed() -> None:
    for name, items in _expected().items():
        assert name.endswith(SUFFIX), name
        assert isinstance(items, list) and items, f"{name}: expect at least one problem"
        for item in items:
            assert set(item) <= {"kind", "path", "message", "step"}, f"{name}: unknown keys in {item}"
            assert item["kind"] in KINDS, f"{name}: unknown kind {item['kind']!r}"
            # A JSON path, or nothing for a problem of the file itself (unreadable, a syntax error).
            path_ok = item["path"].startswith("$") or (item["path"] == "" and item["kind"] in FILE_KINDS)
            assert isinstance(item["path"], str) and path_ok, f"{name}: {item}"
            assert isinstance(item["message"], str) and item["message"].strip(), f"{name}: {item}"
            assert isinstance(item.get("step", 0), int | str), f"{name}: {item}"


@pytest.mark.parametrize("name", _all_names())
def test_invalid_file_reports_every_expected_problem(name: str) -> None:
    expected = _expected().get(name)
    path = CORPUS / name
    if expected is None:
        pytest.fail(f"{name} has no entry in {EXPECTED_FILE.name}")
    if not path.is_file():
        pytest.fail(f"{EXPECTED_FILE.name} names {name}, which is not in {CORPUS}")

    problems = _load_problems(path)

    unmatched = list(problems)
    for item in expected:
        found = next((p for p in unmatched if _matches(p, item)), None)
        assert found is not None, f"{name}: expected {item}\nreported:\n{_describe(problems)}"
        unmatched.remove(found)
    unexpected = {p.kind for p in problems} - {item["kind"] for item in expected}
    assert not unexpected, f"{name}: unexpected kinds {sorted(unexpected)}\nreported:\n{_describe(problems)}"


@pytest.mark.parametrize("name", _corpus_files())
def test_problems_render_as_path_step_and_message(name: str) -> None:
    for problem in _load_problems(CORPUS / name):
        assert problem.kind in KINDS
        assert problem.message and "\n" not in problem.message
        where = problem.path if problem.step_id is None else f"{problem.path} (step {problem.step_id})"
        assert str(problem) == (f"{where}: {problem.message}" if where else problem.message)


@pytest.mark.parametrize("name", _json_files())
def test_parsed_document_gives_the_same_problems_as_the_file(name: str) -> None:
    path = CORPUS / name
    document = json.loads(path.read_text(encoding="utf-8"))
    with pytest.raises(WorkflowInvalid) as info:
        spec.from_document(document, name=str(path))
    assert info.value.problems == _load_problems(path)


def test_two_problems_are_both_in_the_one_line_summary_count() -> None:
    path = CORPUS / "two-problems.thops.json"
    with pytest.raises(WorkflowInvalid) as info:
        spec.load(path)
    assert len(info.value.problems) == 2
    assert info.value.one_line().endswith("(and 1 more)")
    assert info.value.lines() == [f"{path}: {p}" for p in info.value.problems]


def _document(name: str) -> dict[str, Any]:
    return json.loads((CORPUS / name).read_text(encoding="utf-8"))


def test_limit_files_stay_over_the_limits() -> None:
    """The limit cases must keep exceeding limits.py if its numbers change."""
    refs = _document("too-many-references.thops.json")["steps"][1]["stepModule"]["params"]
    assert len(params.references(params.parse(refs))) > limits.MAX_REFERENCES
    step_id = _document("step-id-too-large.thops.json")["steps"][0]["stepId"]
    assert int(step_id) > limits.MAX_STEP_ID
    cmd = _document("module-name-too-long.thops.json")["steps"][0]["stepModule"]["cmd"]
    assert len(cmd.encode()) > limits.MAX_MODULE_BYTES


def test_level_cycle_goes_away_with_the_hinted_fix() -> None:
    """The cycle message says to add "needs": [] to make the later step a root; doing so must work."""
    document = _document("level-cycle-without-needs.thops.json")
    fixed = copy.deepcopy(document)
    fixed["steps"][1]["needs"] = []
    workflow = spec.load(fixed)
    assert [s.step_id for s in workflow.steps] == [2, 1]
    assert workflow.step(1).needs == (2,)
    assert workflow.step(2).needs == ()


def test_cost_as_a_small_json_number_is_accepted() -> None:
    """The schema admits a positive JSON number as ether; 0.00001 ether is a whole 10**13 wei.

    Python's repr of that float is '1e-05', which must not be mistaken for a malformed amount.
    """
    document = _document("cost-zero.thops.json")
    document["steps"][0]["stepModule"]["cost"] = 0.00001
    assert spec.load(document).steps[0].cost_wei == 10**13
