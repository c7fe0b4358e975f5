"""The `tiny-hops` command line: the offline commands (generate-template, validate, inspect) defined here,
the content commands (put, cat, export) from `cli.content` and `cli.cat`, the catalog (`modules`) from
`cli.modules`, the MCP server (`mcp`) from `cli.mcp_command`, the chain commands from their one declaration
in `tinyhops.cli.commands`. Importing this never imports Ape."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tinyhops.cli import commands, options, reporting
from tinyhops.cli.cat import cat
from tinyhops.cli.commands import tiny_hops
from tinyhops.cli.content import export, put
from tinyhops.cli.index_command import index
from tinyhops.cli.mcp_command import mcp
from tinyhops.cli.modules import modules
from tinyhops.cli.reporting import reports_errors
from tinyhops.cli.ui_command import ui
from tinyhops.errors import Problem, TinyHopsError, WorkflowInvalid

# The spec reader (jsonschema-rs) and rich are imported by the commands that use them, so that
# `tiny-hops --help` imports little more than click.


@click.command("generate-template")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default="sample.thops.json")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@reports_errors
def generate_template(path: Path, force: bool) -> None:
    """Write a sample workflow to PATH (default sample.thops.json)."""
    if path.exists() and not force:
        raise TinyHopsError(f"{path} already exists (use --force to overwrite)")
    from tinyhops import spec
    from tinyhops.render.report import counted
    from tinyhops.spec.sample import write_sample

    write_sample(path)
    workflow = spec.load(path)
    click.echo(f"wrote {path}: {counted(len(workflow.steps), 'step')}, validated against the schema")


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@options.backend
@options.parameters
@click.option(
    "--catalog",
    "with_catalog",
    is_flag=True,
    help="Also check each step's params/inputs against its module's catalog entry (unknown or missing inputs, "
    "wrong types); a module the catalog does not know is a warning.",
)
def validate(files: tuple[Path, ...], backend: str, with_catalog: bool, parameters: tuple[str, ...]) -> None:
    """Validate workflow FILES: a summary for each valid file, every problem of each invalid one (schema and
    meaning at once, one line each, naming its JSON path and step). Exits 1 if any file is invalid. With
    --backend v2, also what Lilypad v2 cannot be sent (the summary's sizes are then v2's). --param gives the
    files' parameters, as at submit: one without a default must be given."""
    from tinyhops import spec
    from tinyhops.cli.parameters import given
    from tinyhops.encoding.backends import for_backend
    from tinyhops.render import report

    try:
        values = given(parameters)
    except TinyHopsError as exc:
        reporting.report(exc)
    failed = False
    for file in files:
        problems: list[Problem] = []
        workflow = None
        try:
            workflow = for_backend(spec.load(file, parameters=values), backend, str(file))
        except WorkflowInvalid as exc:
            problems = list(exc.problems)
        warnings: list[Problem] = []
        if with_catalog:
            errors, warnings = _catalog_findings(file, values)
            problems += errors
        if problems:
            failed = True
            if len(problems) == 1:
                only = problems[0]
                click.echo(f"{file}: invalid: {only}" if only.path else f"{file}: {only}")
            else:
                click.echo(f"{file}: invalid, {len(problems)} problems:")
                for problem in problems:
                    click.echo(f"  {problem}")
        else:
            click.echo(report.summary(str(file), workflow))
        for warning in warnings:
            click.echo(f"  warning: {warning}")
    sys.exit(1 if failed else 0)


def _catalog_findings(file: Path, values: dict[str, str]) -> tuple[list[Problem], list[Problem]]:
    """The catalog's errors and warnings for a workflow file, its parameters resolved with `values`; nothing
    for a file that is not JSON (the spec's validation has said why)."""
    import json

    from tinyhops.catalog import shipped_catalog
    from tinyhops.catalog.workflow_checks import catalog_findings
    from tinyhops.spec import parameters

    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return [], []
    document, _, _ = parameters.resolve(document, values)  # its problems are the spec's to report
    findings = catalog_findings(document, shipped_catalog())
    return list(findings.errors), list(findings.warnings)


@click.command("inspect")
@click.argument("target")
@options.rpc
@options.backend
@options.parameters
@reports_errors
def inspect(target: str, rpc: str | None, backend: str, parameters: tuple[str, ...]) -> None:
    """Show TARGET, a workflow file's normalized DAG (topological order, needs as step ids) and its encoded
    size, as --backend's registry is sent it (v2: modules, Key=Value inputs joined by ␞, timeouts) with its
    parameters given by --param; or a workflow id's DAG as submitted, its steps' states and every failed
    attempt's reason."""
    file = Path(target)
    if not file.exists() and target.isdigit():
        from tinyhops.chain.connection import connect
        from tinyhops.cli.chain_commands import inspect_workflow

        with connect(rpc):
            inspect_workflow(int(target))
        return
    from rich.console import Console

    from tinyhops import spec
    from tinyhops.cli.parameters import given
    from tinyhops.encoding.backends import for_backend
    from tinyhops.encoding.submit_arguments import calldata_arguments
    from tinyhops.render import report

    workflow = for_backend(spec.load(file, parameters=given(parameters)), backend, str(file))
    console = Console()
    console.print(report.dag_table(workflow))
    click.echo(report.summary(str(file), workflow))
    deposit_word = 32 if backend == "v2" else 0  # the token escrow's submit(steps, deposit) takes the deposit too
    size = 4 + len(calldata_arguments(workflow)) + deposit_word
    click.echo(f"submit calldata: {size:,} bytes including the selector")


@click.group()
def main() -> None:
    """Tiny Hops: describe a Lilypad workflow once, run it as a DAG."""


main.add_command(generate_template)
main.add_command(validate)
main.add_command(inspect)
main.add_command(tiny_hops(commands.SUBMIT, name="run"))
for _declared in commands.ALL[1:]:
    main.add_command(tiny_hops(_declared))
main.add_command(put)
main.add_command(cat)
main.add_command(export)
main.add_command(index)
main.add_command(ui)
main.add_command(modules)
main.add_command(mcp)
