"""`tiny-hops modules import`: a draft entry from a module's Go template, for the real template PyPI's
create-lilypad-module ships and for templates written here in each shape LILYPAD.md describes; the defining
property of a derived default (giving it renders the same job as leaving it out); parse errors as one line."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from cli_processes import Finished, tiny_hops
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyhops.catalog import entry_problems, go_template
from tinyhops.catalog.template_import import draft_entry
from tinyhops.cli.exit_codes import ERROR, OK
from tinyhops.errors import TemplateUnreadable

SCAFFOLD_TEMPLATE = Path(str(files("create_lilypad_module") / "templates" / "lilypad_module.json.tmpl"))
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def job(entrypoint: str = "[]", env: str = "[]") -> str:
    """A module template in Lilypad's layout with `entrypoint` and `env` written in as given."""
    return (
        '{"machine": {"gpu": 1, "vram": 8000, "cpu": 2000, "ram": 4000},\n'
        ' "job": {"APIVersion": "V1beta1", "Spec": {\n'
        f'   "Docker": {{"Entrypoint": {entrypoint}, "EnvironmentVariables": {env},\n'
        '              "Image": "example/module@sha256:' + "ab" * 32 + '"},\n'
        '   "Engine": "Docker", "Outputs": [{"Name": "outputs", "Path": "/outputs"}], "Timeout": 300}}}\n'
    )


def imported(tmp_path: Path, template: str | Path, *options: str) -> tuple[Finished, dict[str, Any] | None]:
    path = template if isinstance(template, Path) else tmp_path / "lilypad_module.json.tmpl"
    if not isinstance(template, Path):
        path.write_text(template)
    finished = Finished.of(tiny_hops("modules", "import", path, *options, cwd=tmp_path))
    draft = json.loads(finished.stdout) if finished.code == OK else None
    return finished, draft


def test_the_real_scaffold_template_drafts_a_correct_entry(tmp_path: Path) -> None:
    repository = "github.com/example/lilypad-module-scaffolded"
    finished, draft = imported(tmp_path, SCAFFOLD_TEMPLATE, "--repository", repository, "--commit", COMMIT)
    assert finished.code == OK, finished.stderr
    assert draft is not None
    assert draft["name"] == "scaffolded"
    assert draft["module"] == {
        "cmd": f"{repository}:{COMMIT}",
        "repository": repository,
        "template": "lilypad_module.json.tmpl",
        "commit": COMMIT,
        "image": "dockerhub_username/image:tag",
    }
    assert draft["inputs"]["required"] == ["input"]
    assert list(draft["inputs"]["properties"]) == ["input"]
    assert (
        "$.job.Spec.Docker.EnvironmentVariables[0] (`INPUT=…`)" in draft["inputs"]["properties"]["input"]["description"]
    )
    assert draft["machine"] == {"gpu": 0, "vram": 0, "cpu": 6000, "ram": 6000}
    assert draft["runtime"]["timeoutSeconds"] == 600
    assert any("`js .input`" in note and "quotes" in note for note in draft["unverified"])
    assert any("is a tag, which can move" in note for note in draft["unverified"])
    assert [str(p) for p in entry_problems(draft)] == [f"$.todo: the draft is unfinished: {'; '.join(draft['todo'])}"]
    assert "drafted scaffolded: 1 inputs (1 required)" in finished.stderr


def test_if_else_gives_an_optional_input_its_default_in_each_shape(tmp_path: Path) -> None:
    template = job(
        entrypoint='["/bin/cowsay", {{if .Message}}{{.Message}}{{else}}"moo, said the cow"{{end}}]',
        env=(
            '[{{ if .Image }}"{{ subst "IMAGE=%s" .Image }}",{{else}}"IMAGE=lilypad",{{ end }}\n'
            ' {{- if .prompt }}"PROMPT={{ .prompt | js }}"{{ else }}"PROMPT=A frog on a leaf"{{ end -}},\n'
            ' {{if .Seed}}"{{subst "SEED=%s" .Seed}}"{{else}}"SEED=42"{{end}}]'
        ),
    )
    finished, draft = imported(tmp_path, template, "--name", "shapes")
    assert finished.code == OK, finished.stderr
    assert draft is not None
    properties = draft["inputs"]["properties"]
    assert {name: spec.get("default") for name, spec in properties.items()} == {
        "Message": "moo, said the cow",
        "Image": "lilypad",
        "prompt": "A frog on a leaf",
        "Seed": "42",
    }
    assert draft["inputs"]["required"] == []
    assert draft["machine"] == {"gpu": 1, "vram": 8000, "cpu": 2000, "ram": 4000}
    assert not any("is a tag" in note for note in draft["unverified"])


def test_an_unguarded_variable_is_required_and_one_without_else_has_no_default(tmp_path: Path) -> None:
    template = job(env='["REQUEST={{ js .request }}"{{ if .Temperature }}, "{{ subst "T=%s" .Temperature }}"{{ end }}]')
    finished, draft = imported(tmp_path, template, "--name", "llm")
    assert draft is not None, finished.stderr
    assert draft["inputs"]["required"] == ["request"]
    assert "default" not in draft["inputs"]["properties"]["Temperature"]
    notes = draft["unverified"]
    assert any("Temperature" in note and "writes nothing in its place" in note for note in notes)
    assert any('`subst "T=%s" .Temperature`' in note and "breaks the job" in note for note in notes)


def test_a_default_in_another_shape_is_not_guessed(tmp_path: Path) -> None:
    # lilysay 0.5.2's own slip: the fallback sets Message=..., the program reads MESSAGE.
    template = job(env='[{{ if .Message }}"{{ subst "MESSAGE=%s" .Message }}"{{else}}"Message=Hello World"{{ end }}]')
    _, draft = imported(tmp_path, template, "--name", "lilysay")
    assert draft is not None
    assert "default" not in draft["inputs"]["properties"]["Message"]
    assert any("not the same shape" in note for note in draft["unverified"])


def test_a_variable_tested_and_also_used_unguarded_is_required(tmp_path: Path) -> None:
    template = job(entrypoint='["run", {{if .X}}{{.X}}{{else}}"x"{{end}}, {{.X}}]')
    _, draft = imported(tmp_path, template, "--name", "twice")
    assert draft is not None
    assert draft["inputs"]["required"] == ["X"]
    assert "default" not in draft["inputs"]["properties"]["X"]


def test_inputs_differing_only_in_case_are_kept_apart_and_flagged(tmp_path: Path) -> None:
    template = job(env='["A={{ js .prompt }}", "B={{ js .Prompt }}", {{/* a comment */}} "C={{ js .PROMPT }}"]')
    _, draft = imported(tmp_path, template, "--name", "cases")
    assert draft is not None
    assert draft["inputs"]["required"] == ["prompt", "Prompt", "PROMPT"]
    assert sum("differ only in case" in note for note in draft["unverified"]) == 2


def test_else_if_chains_parse_and_the_first_variable_is_optional(tmp_path: Path) -> None:
    template = job(env='[{{if .A}}"{{subst "A=%s" .A}}"{{else if .B}}"{{subst "B=%s" .B}}"{{else}}"NONE=1"{{end}}]')
    _, draft = imported(tmp_path, template, "--name", "chain")
    assert draft is not None
    assert sorted(draft["inputs"]["properties"]) == ["A", "B"]
    assert draft["inputs"]["required"] == []


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ('{"a": {{if .X}}1}', "line 1: {{if}} has no {{end}}"),
        ('{"a": 1}\n{{end}}', "line 2: {{end}} without an if, with or range"),
        ('{"a": {{ .X', "line 1: {{ is never closed by }}"),
        ('{"a": {{ define "x" }}{{ end }}}', "line 1: {{define}} is not supported in a module template"),
        ('{\n\n"a": {{ .X ! }}}', "line 3: cannot read '!'"),
        ('{"a": {{ .X\n\n! }}}', "line 1: cannot read '!' in {{ .X ! }}"),
    ],
)
def test_a_broken_template_is_one_line_naming_its_line(tmp_path: Path, template: str, message: str) -> None:
    finished, _ = imported(tmp_path, template)
    assert finished.code == ERROR
    assert finished.stdout == ""
    assert finished.stderr.startswith(f"error: {tmp_path / 'lilypad_module.json.tmpl'}: {message}"), finished.stderr
    assert len(finished.stderr.strip().splitlines()) == 1


def test_unreadable_files_are_one_line(tmp_path: Path) -> None:
    binary = tmp_path / "binary.tmpl"
    binary.write_bytes(b"\xff\xfe{}")
    for target, message in (
        (binary, "not UTF-8 text"),
        (tmp_path, "is a directory"),
        (tmp_path / "no", "no such file"),
    ):
        finished = Finished.of(tiny_hops("modules", "import", target, cwd=tmp_path))
        assert finished.code == ERROR
        assert message in finished.stderr and len(finished.stderr.strip().splitlines()) == 1


def test_out_writes_the_draft_and_will_not_overwrite_unasked(tmp_path: Path) -> None:
    (tmp_path / "t.tmpl").write_text(job(env='["X={{ js .x }}"]'))
    out = tmp_path / "draft.json"
    first = Finished.of(tiny_hops("modules", "import", "t.tmpl", "--name", "x", "--out", out, cwd=tmp_path))
    assert first.code == OK and first.stdout == ""
    assert json.loads(out.read_text())["name"] == "x"
    again = Finished.of(tiny_hops("modules", "import", "t.tmpl", "--out", out, cwd=tmp_path))
    assert again.code == ERROR and "already exists" in again.stderr


def test_a_hostile_machine_becomes_a_todo_not_an_invalid_draft() -> None:
    draft = draft_entry(
        '{"machine": {"gpu": -1, "cpu": true, "ram": 1e400}, "job": {"Spec": {"Timeout": -5}}}', name="m"
    )
    assert draft["machine"] == {"gpu": 0, "cpu": 0, "ram": 0}
    assert sum(item.startswith("machine.") for item in draft["todo"]) == 3
    assert "timeoutSeconds" not in draft["runtime"]
    assert [p.path for p in entry_problems(draft)] == ["$.todo"]


# ---- the defining property of a derived default: giving it renders the same job as leaving it out

# subst writes the value unescaped into a JSON string, so the property holds for values without " or \.
SAFE_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"\\'), max_size=30)
SHAPES = (
    ("{{if .X}}{{.X}}{{else}}%s{{end}}", lambda value: json.dumps(value)),
    ('{{ if .X }}"{{ subst "KEY=%%s" .X }}"{{ else }}"KEY=%s"{{ end }}', lambda value: value),
    ('{{- if .X -}} "{{ subst "%%s!" .X }}" {{- else -}} "%s!" {{- end }}', lambda value: value),
)


@settings(max_examples=60, deadline=None)
@given(shape=st.sampled_from(SHAPES), default=SAFE_TEXT)
def test_giving_the_derived_default_renders_the_job_leaving_it_out_renders(shape: Any, default: str) -> None:
    pattern, written = shape
    template = job(entrypoint="[" + pattern % written(default) + "]")
    draft = draft_entry(template, name="p")
    assert draft["inputs"]["properties"]["X"].get("default") == default
    nodes = go_template.parse(template)
    assert json.loads(go_template.render(nodes, {"X": default})) == json.loads(go_template.render(nodes, {}))


# Pieces of module templates, shuffled into anything from a real template to nonsense.
PIECES = st.sampled_from(
    [
        "{{if .X}}",
        "{{ if .Y }}",
        "{{else}}",
        "{{ else if .Z }}",
        "{{end}}",
        "{{- end -}}",
        "{{.X}}",
        "{{ js .Y }}",
        "{{ .Z | js }}",
        '{{ subst "K=%s" .X }}',
        "{{/* c */}}",
        "{{ range .R }}",
        "{{ with .W }}",
        '"',
        '"K=v"',
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        " ",
        '"machine"',
        "1",
        "-1",
        "{{",
        "}}",
    ]
)


@settings(max_examples=200, deadline=None)
@given(text=st.lists(PIECES | st.text(max_size=3), max_size=40).map("".join))
def test_any_template_is_drafted_or_refused_in_one_line_never_crashes(text: str) -> None:
    try:
        draft = draft_entry(text, name="fuzz")
    except TemplateUnreadable as error:
        assert "\n" not in str(error) and str(error).startswith("line ")
        return
    assert [p.path for p in entry_problems(draft)] == ["$.todo"]
