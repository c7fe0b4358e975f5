"""`tiny-hops modules list|show|import`: the module catalog from the command line (offline, no Ape)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from tinyhops.cli.reporting import reports_errors
from tinyhops.errors import TemplateUnreadable, TinyHopsError

ETHER = 10**18


@click.group("modules")
def modules() -> None:
    """The module catalog: what each Lilypad module takes, makes and costs."""


@modules.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the entries' summaries as one JSON array.")
@reports_errors
def list_modules(as_json: bool) -> None:
    """List the catalog's modules: name, module (cmd), inputs (* required), primary output, prices."""
    from tinyhops.catalog import shipped_catalog

    catalog = shipped_catalog()
    if as_json:
        click.echo(json.dumps([entry.summary() for entry in catalog], indent=2))
        return
    rows = [("NAME", "MODULE (cmd)", "INPUTS (* required)", "PRIMARY OUTPUT", "V1 PRICE", "DETERMINISTIC")]
    for entry in catalog:
        required = set(entry.inputs.get("required", []))
        inputs = ", ".join(f"{name}*" if name in required else name for name in entry.inputs["properties"])
        v1 = entry.price("v1")
        rows.append(
            (
                entry.name,
                entry.cmd,
                inputs or "-",
                entry.primary_output,
                _ether(v1) if v1 else "-",
                "yes" if entry.deterministic else "no",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@modules.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the whole catalog entry as JSON.")
@reports_errors
def show(name: str, as_json: bool) -> None:
    """Describe module NAME (a catalog name such as cowsay, or a cmd such as cowsay:v0.0.1)."""
    from tinyhops.catalog import shipped_catalog

    entry = shipped_catalog().find(name)
    if as_json:
        click.echo(json.dumps(entry.document, indent=2, ensure_ascii=False))
        return
    for line in describe(entry.document):
        click.echo(line)


@modules.command("import")
@click.argument("template", type=click.Path(path_type=Path))
@click.option("--name", help="Catalog name of the draft (default: from --repository, else the template's folder).")
@click.option("--repository", help="Repository of the template, such as github.com/owner/lilypad-module-x.")
@click.option("--commit", help="The 40-hex-digit commit that pins the template.")
@click.option("--cmd", help="The module as a step names it (default: REPOSITORY:COMMIT when both are given).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the draft here, not to stdout.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@reports_errors
def import_template(
    template: Path,
    name: str | None,
    repository: str | None,
    commit: str | None,
    cmd: str | None,
    out: Path | None,
    force: bool,
) -> None:
    """Draft a catalog entry from a lilypad_module.json.tmpl for a person to finish: the template's variables
    become inputs (`{{if .X}}…{{else}}default{{end}}`: optional with that default; unguarded: required); its
    machine, image and timeout are read from it; what it cannot tell is listed under `todo`."""
    from tinyhops.catalog.template_import import draft_entry, name_for, read_template, verified_draft

    if out is not None and out.exists() and not force:
        raise TinyHopsError(f"{out} already exists (use --force to overwrite)")
    source = read_template(template)
    try:
        drafted = draft_entry(
            source, name=name or name_for(template, repository), cmd=cmd, repository=repository, commit=commit
        )
    except TemplateUnreadable as error:
        raise TemplateUnreadable(f"{template}: {error}") from None
    draft = verified_draft(drafted, str(template))
    text = json.dumps(draft, indent=2, ensure_ascii=False) + "\n"
    inputs = draft["inputs"]
    counted = f"{len(inputs['properties'])} inputs ({len(inputs['required'])} required)"
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
    where = f"wrote {out}" if out is not None else "drafted"
    click.echo(f"{where} {draft['name']}: {counted}; finish the {len(draft['todo'])} items under todo", err=True)


def _ether(wei: int) -> str:
    whole, rest = divmod(wei, ETHER)
    return f"{whole} ETH" if not rest else f"{wei} wei"


def describe(document: dict[str, Any]) -> list[str]:
    """A catalog entry as lines a person reads."""
    module = document["module"]
    pinned = f" at {module['commit']}" if "commit" in module else " (no commit pinned)"
    ref = f" ({module['ref']})" if "ref" in module else ""
    lines = [
        f"{document['name']}: {document['title']} ({module['cmd']})",
        document["description"],
        f"module: {module['repository']}{pinned}{ref}" + (f", image {module['image']}" if "image" in module else ""),
        "inputs:",
    ]
    required = set(document["inputs"].get("required", []))
    for name, spec in document["inputs"]["properties"].items():
        facts = [spec["type"], "required" if name in required else "optional"]
        if "default" in spec:
            facts.append(f"default {json.dumps(spec['default'], ensure_ascii=False)}")
        if "x-cid-of" in spec:
            facts.append(f"may be a CID of {spec['x-cid-of']}")
        if "contentEncoding" in spec:
            facts.append(f"{spec['contentEncoding']} of {spec.get('contentMediaType', 'bytes')}")
        lines.append(f"  {name} ({', '.join(facts)}): {spec['description']}")
    outputs = document["outputs"]
    lines.append(f"outputs (a later step references {{{{stepId:N}}}}/{outputs['primary']}):")
    lines += [f"  {f['path']}  {f['mediaType']}  {f['description']}" for f in outputs["files"]]
    machine = document["machine"]
    vram = f", vram {machine['vram']} MB" if machine.get("vram") else ""
    lines.append(f"machine: gpu {machine['gpu']}{vram}, cpu {machine['cpu']} millicores, ram {machine['ram']} MB")
    runtime = document["runtime"]
    timeout = f", timeout {runtime['timeoutSeconds']} s" if "timeoutSeconds" in runtime else ""
    lines.append(f"runtime: typically {runtime['typicalSeconds']} s{timeout}")
    prices = [
        f"{backend} {price['amount']} {price['unit']}"
        + (f" ({_ether(int(price['amount']))})" if price["unit"] == "wei" else "")
        for backend, price in document["cost"].items()
    ]
    lines.append(f"cost per attempt: {'; '.join(prices) or 'unknown'}")
    lines.append(f"deterministic: {'yes (the result cache may serve it)' if document['deterministic'] else 'no'}")
    if document.get("unverified"):
        lines.append("not verified:")
        lines += [f"  - {note}" for note in document["unverified"]]
    return lines
