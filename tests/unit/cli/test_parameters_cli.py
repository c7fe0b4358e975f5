"""`--param NAME=VALUE` and named steps through the installed `tiny-hops` (no node needed): validate, inspect and
graph of a file; every wrong parameter a one-line error naming its JSON path, exit 1, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_processes import Finished, tiny_hops

from tinyhops.cli.exit_codes import ERROR, OK
from tinyhops.paths import PROJECT_ROOT
from tinyhops.spec.step_ids import id_of_name

EXAMPLE = "named-steps-and-parameters.thops.json"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(PROJECT_ROOT / "examples" / EXAMPLE, tmp_path / EXAMPLE)
    return tmp_path


def test_validate_takes_parameters(folder: Path) -> None:
    done = Finished.of(tiny_hops("validate", EXAMPLE, "--param", "topic=milk", "--param", "seed=3", cwd=folder))
    assert (done.code, done.stderr) == (OK, ""), done
    assert done.stdout.startswith(f"{EXAMPLE} (joke-for-a-cow): valid. 2 steps, 1 edge"), done


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            ["--param", "seed=three"],
            f"{EXAMPLE}: invalid: $.parameters.seed: parameter 'seed' is a whole number; not \"three\"",
        ),
        (
            ["--param", "tpic=milk"],
            f"{EXAMPLE}: invalid: $.parameters: parameter 'tpic' is given but not declared "
            "(declared: topic, seed, take)",
        ),
        (
            ["--param", "take=4"],
            f"{EXAMPLE}: invalid: $.parameters.take: parameter 'take' is one of 1, 2, 3; not \"4\"",
        ),
    ],
)
def test_a_wrong_parameter_is_one_line_naming_its_path(folder: Path, arguments: list[str], expected: str) -> None:
    done = Finished.of(tiny_hops("validate", EXAMPLE, *arguments, cwd=folder))
    assert (done.code, done.stdout_lines, done.stderr) == (ERROR, [expected], ""), done


@pytest.mark.parametrize("command", ["validate", "inspect", "graph"])
def test_a_param_without_a_value_is_one_line_and_exit_1(folder: Path, command: str) -> None:
    done = Finished.of(tiny_hops(command, EXAMPLE, "--param", "topic", cwd=folder))
    assert done.code == ERROR and "Traceback" not in done.stderr, done
    assert done.stderr.strip() == "error: --param 'topic': expected NAME=VALUE, such as --param message=hello", done


def test_a_required_parameter_not_given_is_reported_by_inspect(folder: Path) -> None:
    text = (folder / EXAMPLE).read_text().replace('"default": "cows",', "")
    (folder / "required.thops.json").write_text(text)
    done = Finished.of(tiny_hops("inspect", "required.thops.json", cwd=folder))
    assert done.code == ERROR and done.stdout == "", done
    assert done.stderr.strip() == (
        "error: required.thops.json: $.parameters.topic: parameter 'topic' has no default and is not given "
        "(give it: --param topic=VALUE)"
    ), done


def test_inspect_and_graph_show_names_and_resolved_values(folder: Path) -> None:
    inspected = Finished.of(tiny_hops("inspect", EXAMPLE, "--param", "topic=milk", cwd=folder, COLUMNS="200"))
    assert inspected.code == OK, inspected
    rows = [line for line in inspected.stdout_lines if "fetch-joke" in line or "cow-says" in line]
    assert len(rows) == 2 and '"Topic": "milk"' in rows[0] and "{{stepId:fetch-joke}}" in rows[1], inspected
    assert "│ fetch-joke │" in rows[1], inspected  # the needs column names the step too
    drawn = Finished.of(tiny_hops("graph", EXAMPLE, "--format", "dot", cwd=folder))
    assert drawn.code == OK, drawn
    joke, cow = id_of_name("fetch-joke"), id_of_name("cow-says")
    assert f'    s{joke} [label="joke\\njoke:v0.0.1", fillcolor="#ffffff"];' in drawn.stdout_lines, drawn
    assert f"    s{joke} -> s{cow};" in drawn.stdout_lines, drawn
