"""The `tiny-hops` command line: validate, generate-template and inspect (chain commands: tests/e2e).

Everything runs in-process through click's CliRunner, except one test that starts the installed
console script to check that the real entry point exits with 1 and prints no traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tinyhops import spec
from tinyhops.cli.main import main
from tinyhops.encoding import calldata_arguments
from tinyhops.errors import WorkflowInvalid
from tinyhops.spec import params

REPO = Path(__file__).resolve().parents[3]
ORIGINAL_EXAMPLE = REPO / "tests" / "data" / "original-2023-example.thops.json"
SAMPLE = REPO / "sample.thops.json"
INVALID = REPO / "tests" / "data" / "invalid"
TWO_PROBLEMS = INVALID / "two-problems.thops.json"
CYCLE = INVALID / "cycle-three-steps.thops.json"


def run(*args: str | Path) -> Result:
    """Invoke the CLI; never a traceback, never an exception other than the exit itself."""
    runner = CliRunner(mix_stderr=False)
    result = runner.invoke(main, [str(a) for a in args], env={"COLUMNS": "200"})
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def output(result: Result) -> str:
    return result.stdout + result.stderr


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def problems_of(path: Path) -> tuple[Any, ...]:
    with pytest.raises(WorkflowInvalid) as info:
        spec.load(path)
    return info.value.problems


# validate


def test_validate_original_example_prints_a_one_paragraph_summary() -> None:
    result = run("validate", ORIGINAL_EXAMPLE)
    assert result.exit_code == 0, output(result)
    text = lines(result.stdout)
    assert len(text) == 1, result.stdout
    summary = text[0]
    assert summary.startswith(f"{ORIGINAL_EXAMPLE}: valid.")
    for part in ("4 steps", "4 edges", "depth 3", "widest level 2", "total cost 20 ETH"):
        assert part in summary, summary
    assert result.stderr == ""


def test_validate_sample_prints_a_one_paragraph_summary() -> None:
    result = run("validate", SAMPLE)
    assert result.exit_code == 0, output(result)
    text = lines(result.stdout)
    assert len(text) == 1, result.stdout
    summary = text[0]
    assert summary.startswith(f"{SAMPLE} (cow-meme): valid.")
    shape = ("4 steps", "3 edges", "depth 3", "widest level 2")
    for part in (*shape, "total cost 7 ETH", "11 ETH with every retry"):
        assert part in summary, summary


def test_validate_summary_matches_the_normalized_workflow() -> None:
    workflow = spec.load(SAMPLE)
    summary = run("validate", SAMPLE).stdout
    assert f"{len(workflow.steps)} steps, {workflow.edge_count} edges" in summary
    assert f"depth {workflow.depth}, widest level {workflow.widest_level}" in summary
    assert f"{len(calldata_arguments(workflow)):,} bytes of submit arguments" in summary


def test_validate_several_valid_files_summarizes_each() -> None:
    result = run("validate", ORIGINAL_EXAMPLE, SAMPLE)
    assert result.exit_code == 0, output(result)
    text = lines(result.stdout)
    assert len(text) == 2
    assert text[0].startswith(f"{ORIGINAL_EXAMPLE}: valid.")
    assert text[1].startswith(f"{SAMPLE} (cow-meme): valid.")


def test_validate_invalid_file_prints_every_problem_with_its_path() -> None:
    result = run("validate", TWO_PROBLEMS)
    assert result.exit_code == 1
    text = output(result)
    problems = problems_of(TWO_PROBLEMS)
    assert len(problems) == 2
    assert f"{TWO_PROBLEMS}: invalid" in text
    for problem in problems:
        assert problem.path in text
        assert str(problem) in text
    assert "$.steps[0].needs[0] (step 1)" in text
    assert "$.steps[1].stepModule.cost (step 2)" in text


@pytest.mark.parametrize("name", sorted(p.name for p in INVALID.glob("*.thops.json")))
def test_validate_each_corpus_file_exits_1_and_lists_its_problems(name: str) -> None:
    path = INVALID / name
    result = run("validate", path)
    assert result.exit_code == 1
    text = output(result)
    assert str(path) in text
    for problem in problems_of(path):
        assert str(problem) in text


def test_validate_mix_exits_1_and_still_summarizes_the_valid_files() -> None:
    result = run("validate", ORIGINAL_EXAMPLE, TWO_PROBLEMS, SAMPLE, CYCLE)
    assert result.exit_code == 1
    text = output(result)
    assert f"{ORIGINAL_EXAMPLE}: valid." in text
    assert f"{SAMPLE} (cow-meme): valid." in text
    for bad in (TWO_PROBLEMS, CYCLE):
        assert f"{bad}: invalid" in text
        for problem in problems_of(bad):
            assert str(problem) in text
    # Files are reported in the order given.
    positions = [text.index(str(p)) for p in (ORIGINAL_EXAMPLE, TWO_PROBLEMS, SAMPLE, CYCLE)]
    assert positions == sorted(positions)


def test_validate_nonexistent_file_prints_one_clear_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.thops.json"
    result = run("validate", missing)
    assert result.exit_code == 1
    text = lines(output(result))
    assert len(text) == 1, output(result)
    assert str(missing) in text[0]
    assert "no such file" in text[0]


def test_validate_directory_exits_1(tmp_path: Path) -> None:
    result = run("validate", tmp_path)
    assert result.exit_code == 1
    assert "is a directory" in output(result)


def test_validate_without_files_is_a_usage_error() -> None:
    result = run("validate")
    assert result.exit_code == 2
    assert "Missing argument" in output(result)


# generate-template


def test_generate_template_writes_a_valid_workflow_using_every_feature(tmp_path: Path) -> None:
    target = tmp_path / "new.thops.json"
    result = run("generate-template", target)
    assert result.exit_code == 0, output(result)
    assert str(target) in result.stdout
    workflow = spec.load(target)

    document = json.loads(target.read_text(encoding="utf-8"))
    entries = document["steps"]
    assert any(isinstance(entry, list) and len(entry) >= 2 for entry in entries), "no parallel group"
    steps = [s for entry in entries for s in (entry if isinstance(entry, list) else [entry])]
    assert any("{{stepId:" in s["stepModule"]["params"] for s in steps)
    assert any("needs" in s for s in steps)
    assert {s["stepModule"]["cmd"] for s in steps} >= {"cowsay:v0.0.1", "sdxl:v0.9-lilypad1"}

    assert any(params.references(s.params) for s in workflow.steps)
    assert f"{len(workflow.steps)} steps" in result.stdout


def test_generate_template_default_path_is_sample_thops_json(tmp_path: Path) -> None:
    runner = CliRunner(mix_stderr=False)
    with runner.isolated_filesystem(temp_dir=tmp_path):
        result = runner.invoke(main, ["generate-template"])
        assert result.exit_code == 0, result.stdout + result.stderr
        assert Path("sample.thops.json").is_file()
        spec.load("sample.thops.json")


def test_generate_template_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "existing.thops.json"
    target.write_text("keep me\n")
    result = run("generate-template", target)
    assert result.exit_code == 1
    assert target.read_text() == "keep me\n"
    text = lines(output(result))
    assert len(text) == 1, output(result)
    assert str(target) in text[0]
    assert "already exists" in text[0]
    assert "--force" in text[0]


def test_generate_template_overwrites_with_force(tmp_path: Path) -> None:
    target = tmp_path / "existing.thops.json"
    target.write_text("keep me\n")
    result = run("generate-template", target, "--force")
    assert result.exit_code == 0, output(result)
    spec.load(target)


def test_committed_sample_is_exactly_what_generate_template_writes(tmp_path: Path) -> None:
    target = tmp_path / "sample.thops.json"
    assert run("generate-template", target).exit_code == 0
    assert SAMPLE.read_bytes() == target.read_bytes(), (
        "sample.thops.json drifted from tinyhops.spec.sample; regenerate it with "
        "`tiny-hops generate-template --force sample.thops.json`"
    )


# inspect


def _check_table_and_size(result: Result, path: Path) -> None:
    assert result.exit_code == 0, output(result)
    workflow = spec.load(path)
    text = result.stdout
    for column in ("step", "name", "module", "needs", "cost", "params"):
        assert column in text
    rows = [line for line in text.splitlines() if "│" in line]
    for step in workflow.steps:
        row = next((r for r in rows if f" {step.name} " in r), None)
        assert row is not None, f"no row for step {step.step_id}:\n{text}"
        assert step.module in row
        assert (", ".join(map(str, step.needs)) or "-") in row
    # Rows follow the normalized (topological) order.
    positions = [text.index(f" {s.name} ") for s in workflow.steps]
    assert positions == sorted(positions)
    assert f"{path} (cow-meme): valid." in text
    assert f"submit calldata: {4 + len(calldata_arguments(workflow)):,} bytes" in text


def test_inspect_prints_the_normalized_table_and_calldata_size() -> None:
    _check_table_and_size(run("inspect", SAMPLE), SAMPLE)


def test_inspect_original_example_lists_level_dependencies() -> None:
    result = run("inspect", ORIGINAL_EXAMPLE)
    assert result.exit_code == 0, output(result)
    workflow = spec.load(ORIGINAL_EXAMPLE)
    assert [s.needs for s in workflow.steps] == [(), (1,), (1,), (2, 3)]
    assert "2, 3" in result.stdout
    assert "submit calldata:" in result.stdout


def test_inspect_invalid_file_prints_every_problem_and_exits_1() -> None:
    result = run("inspect", TWO_PROBLEMS)
    assert result.exit_code == 1
    assert result.stdout == ""
    for problem in problems_of(TWO_PROBLEMS):
        assert f"error: {TWO_PROBLEMS}: {problem}" in result.stderr


def test_inspect_nonexistent_file_prints_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.thops.json"
    result = run("inspect", missing)
    assert result.exit_code == 1
    text = lines(output(result))
    assert len(text) == 1
    assert str(missing) in text[0] and "no such file" in text[0]


# the real console script


def test_console_script_validate_invalid_file_exits_1_without_traceback() -> None:
    script = Path(sys.executable).parent / "tiny-hops"
    if not script.exists():
        script = REPO / ".venv" / "bin" / "tiny-hops"
    assert script.exists(), "the tiny-hops console script is not installed"
    completed = subprocess.run(
        [str(script), "validate", str(TWO_PROBLEMS)], capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 1
    assert "Traceback" not in completed.stdout + completed.stderr
    text = completed.stdout + completed.stderr
    for problem in problems_of(TWO_PROBLEMS):
        assert str(problem) in text
