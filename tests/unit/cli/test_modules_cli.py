"""`tiny-hops modules list|show` as a user types them (subprocesses): the catalog as a table or JSON, one entry
described, and one-line errors with exit code 1 for an unknown module or a broken catalog."""

from __future__ import annotations

import json
from pathlib import Path

from cli_processes import Finished, tiny_hops

from tinyhops.catalog import CATALOG_DIR, load_catalog
from tinyhops.catalog.entries import CATALOG_VARIABLE
from tinyhops.cli.exit_codes import ERROR, OK


def run(*args: str, cwd: Path, **extra: str) -> Finished:
    return Finished.of(tiny_hops(*args, cwd=cwd, **extra))


def test_list_shows_every_entry_with_its_module_and_price(tmp_path: Path) -> None:
    finished = run("modules", "list", cwd=tmp_path)
    assert finished.code == OK, finished.stderr
    header, *rows = finished.stdout_lines
    assert header.split()[:3] == ["NAME", "MODULE", "(cmd)"]
    by_name = {row.split()[0]: row for row in rows}
    assert sorted(by_name) == sorted(entry.name for entry in load_catalog())
    assert by_name["cowsay"].split()[1:4] == ["cowsay:v0.0.1", "Message*", "stdout"]
    assert "4 ETH" in by_name["sdxl"]


def test_list_json_is_the_summaries(tmp_path: Path) -> None:
    finished = run("modules", "list", "--json", cwd=tmp_path)
    summaries = json.loads(finished.stdout)
    assert [item["name"] for item in summaries] == [entry.name for entry in load_catalog()]
    cowsay = next(item for item in summaries if item["name"] == "cowsay")
    assert cowsay["required"] == ["Message"] and cowsay["cost"]["v1"] == str(10**18)


def test_show_describes_an_entry_by_name_or_cmd(tmp_path: Path) -> None:
    by_cmd = run("modules", "show", "sdxl:v0.9-lilypad1", cwd=tmp_path)
    assert by_cmd.code == OK
    assert by_cmd.stdout == run("modules", "show", "sdxl", cwd=tmp_path).stdout
    assert "outputs (a later step references {{stepId:N}}/outputs/image-42.png):" in by_cmd.stdout
    assert "  seed (integer, optional, default 42): " in by_cmd.stdout
    document = json.loads(run("modules", "show", "sdxl", "--json", cwd=tmp_path).stdout)
    assert document == json.loads((CATALOG_DIR / "sdxl.json").read_text())


def test_an_unknown_module_is_one_line_and_exit_1(tmp_path: Path) -> None:
    finished = run("modules", "show", "cowsey", cwd=tmp_path)
    assert finished.code == ERROR and finished.stdout == ""
    assert finished.stderr == "error: no module 'cowsey' in the catalog; did you mean 'cowsay'?\n"


def test_a_broken_catalog_reports_every_problem_one_line_each(tmp_path: Path) -> None:
    folder = tmp_path / "catalog"
    folder.mkdir()
    document = json.loads((CATALOG_DIR / "cowsay.json").read_text())
    document["outputs"]["primary"] = "outputs/x"
    document["machine"]["ram"] = "lots"
    (folder / "cowsay.json").write_text(json.dumps(document))
    finished = run("modules", "list", cwd=tmp_path, **{CATALOG_VARIABLE: str(folder)})
    assert finished.code == ERROR and finished.stdout == ""
    assert finished.stderr.splitlines() == [
        f"error: {folder / 'cowsay.json'}: $.machine.ram: 'lots' is not of type 'integer'",
    ]
    document["machine"]["ram"] = 100
    (folder / "cowsay.json").write_text(json.dumps(document))
    document["inputs"]["required"] = ["Nope"]
    (folder / "cowsay.json").write_text(json.dumps(document))
    finished = run("modules", "list", cwd=tmp_path, **{CATALOG_VARIABLE: str(folder)})
    assert finished.stderr.splitlines() == [
        f"error: {folder / 'cowsay.json'}: $.inputs.required[0]: requires 'Nope', which is not an input",
        f"error: {folder / 'cowsay.json'}: $.outputs.primary: 'outputs/x' is not one of the files",
    ]
