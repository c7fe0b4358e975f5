"""`tiny-hops graph FILE` (no node needed): labels that any step name survives, in Mermaid and in DOT, and a
legend of the status colours when statuses are known (a workflow id: tests/e2e/test_cli_chain.py)."""

from __future__ import annotations

import json
from pathlib import Path

from cli_processes import Finished, tiny_hops

from tinyhops import spec
from tinyhops.chain.registry_client import StepStatus
from tinyhops.render import graph

NAME = 'say "hi" \\ <b>#1</b>'


def _write(tmp_path: Path) -> None:
    document = {
        "version": "v0.0.1",
        "steps": [
            {"stepId": 1, "stepName": NAME, "stepModule": {"cmd": "cowsay:v0.0.1", "params": "x", "cost": "1"}},
            {"stepId": 2, "stepModule": {"cmd": "cowsay:v0.0.1", "params": "{{stepId:1}}", "cost": "1"}},
        ],
    }
    (tmp_path / "names.thops.json").write_text(json.dumps(document), encoding="utf-8")


def test_mermaid_labels_break_lines_with_br_and_escape_what_mermaid_reads(tmp_path: Path) -> None:
    _write(tmp_path)
    drawn = Finished.of(tiny_hops("graph", "names.thops.json", cwd=tmp_path))
    assert drawn.code == 0, drawn
    assert drawn.stdout_lines == [
        "flowchart TD",
        '    s1["say #34;hi#34; \\ #60;b#62;#35;1#60;/b#62;<br/>cowsay:v0.0.1"]',
        '    s2["step 2<br/>cowsay:v0.0.1"]',
        "    s1 --> s2",
    ], drawn
    assert "\\n" not in drawn.stdout


def test_dot_labels_keep_backslashes_and_quotes(tmp_path: Path) -> None:
    _write(tmp_path)
    drawn = Finished.of(tiny_hops("graph", "names.thops.json", "--format", "dot", cwd=tmp_path))
    assert drawn.code == 0, drawn
    assert '    s1 [label="say \\"hi\\" \\\\ <b>#1</b>\\ncowsay:v0.0.1", fillcolor="#ffffff"];' in drawn.stdout_lines
    assert "'" not in drawn.stdout, drawn


def test_dot_label_round_trips_through_dot_string_unescaping() -> None:
    """Undoing DOT's escapes (\\\\ and \\") gives the name back, whatever characters it has."""
    label = graph._dot_text(NAME)
    assert label.replace('\\"', '"').replace("\\\\", "\\") == NAME


def test_with_statuses_both_formats_show_a_legend_of_every_colour() -> None:
    workflow = spec.load(
        {"version": "v0.0.1", "steps": [{"stepId": 1, "stepModule": {"cmd": "a:b", "params": "x", "cost": "1"}}]}
    )
    mermaid = graph.mermaid(workflow, {1: StepStatus.COMPLETED}).splitlines()
    dot = graph.dot(workflow, {1: StepStatus.COMPLETED}).splitlines()
    assert '    subgraph legend ["Legend"]' in mermaid and "    class s1 completed" in mermaid
    assert "    subgraph cluster_legend {" in dot
    for status, colour in graph.COLOURS.items():
        key = status.name.lower()
        assert f"    classDef {key} fill:{colour}" in mermaid
        assert f'        legend_{key}["{key}"]:::{key}' in mermaid
        assert f'        legend_{key} [label="{key}", fillcolor="{colour}"];' in dot
    assert not any("legend" in line for line in graph.mermaid(workflow).splitlines())
