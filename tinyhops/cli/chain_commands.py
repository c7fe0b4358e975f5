"""What the chain commands do, once connected: submit, monitor, pause/resume/cancel, redrive, withdraw, graph.

Declared once in `tinyhops.cli.commands`, which runs these inside `ape run` (Ape connects) or inside
`tinyhops.chain.connection.connect` (`tiny-hops` with --rpc and THOPS_PRIVATE_KEY).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from tinyhops import spec
from tinyhops.catalog import with_cache_defaults
from tinyhops.chain.accounts import signer
from tinyhops.chain.address_book import LOCAL_CHAIN_IDS
from tinyhops.chain.registry_client import RegistryClient
from tinyhops.chain.step_labels import Labels
from tinyhops.chain.submitted_definition import submitted_workflow
from tinyhops.cli import exit_codes, monitor
from tinyhops.cli.parameters import given
from tinyhops.cli.step_names import checked_file, labelled
from tinyhops.errors import CostError, SubmitError, TinyHopsError
from tinyhops.index.views import view_of
from tinyhops.render import graph
from tinyhops.render.report import counted
from tinyhops.spec.model import KeeperBudget
from tinyhops.spec.units import ETHER_UNIT, Unit, format_amount, format_wei, parse_amount, parse_cost


def _context() -> tuple[Any, Any]:
    from ape import chain

    from tinyhops.chain.connection import tinyhops_project

    return tinyhops_project(), chain


def _client() -> tuple[RegistryClient, Any]:
    project, chain = _context()
    return RegistryClient.connect(project, chain), chain


def _account(alias: str | None) -> Any:
    _, chain = _context()
    return signer(alias, chain.chain_id in LOCAL_CHAIN_IDS)


def parse_deposit(text: str, unit: Unit = ETHER_UNIT) -> int:
    """--deposit in whole units of the escrow (ether, or the v2 token) as its smallest units."""
    try:
        return parse_amount(text, unit)
    except ValueError as exc:
        raise TinyHopsError(f"--deposit {exc}") from None


def _with_keeper_flags(workflow: spec.Workflow, runner: bool, amounts: dict[str, str | None]) -> spec.Workflow:
    """The file's runner mode and keeper budget, with the command line's flags over them."""
    flags = {name: value for name, value in amounts.items() if value is not None}
    if not runner and not flags:
        return workflow
    budget = workflow.keeper or KeeperBudget()
    changes = {}
    for flag, value in flags.items():
        try:
            changes[flag.replace("-", "_") + "_wei"] = parse_cost(value) if value.strip() not in ("0", "0 wei") else 0
        except CostError as exc:
            raise TinyHopsError(f"--{flag} {exc}") from None
    return replace(workflow, runner=workflow.runner or runner, keeper=replace(budget, **changes))


def submit(
    file: Path,
    deposit: str | None,
    account: str | None,
    wait: bool = False,
    parameters: tuple[str, ...] = (),
    no_cache: bool = False,
    runner: bool = False,
    gas_deposit: str | None = None,
    max_gas_price: str | None = None,
    premium: str | None = None,
    max_paid_per_call: str | None = None,
) -> int:
    """Validate (its parameters given `parameters`, NAME=VALUE texts), show the cost estimate, refuse what must
    not be sent, submit; return the workflow id. With `wait`, follow the workflow to its end as `monitor`
    does, and exit with its code. Steps the file does not say are cacheable when the catalog calls their
    module deterministic; `no_cache` makes none cacheable. `runner` and the keeper amounts override the
    file's `runner` and `keeper`."""
    amounts = {
        "gas-deposit": gas_deposit,
        "max-gas-price": max_gas_price,
        "premium": premium,
        "max-paid-per-call": max_paid_per_call,
    }
    workflow = _with_keeper_flags(spec.load(file, parameters=given(parameters)), runner, amounts)
    workflow = workflow.without_cache() if no_cache else with_cache_defaults(workflow)
    client, _ = _client()
    workflow = client.laid_out(workflow, str(file))
    unit = client.unit
    deposit_wei = parse_deposit(deposit, unit) if deposit is not None else None
    estimate, wei = client.check(workflow, deposit_wei, known_modules_only=True)
    sender = _account(account)
    # Else the node's raw "insufficient funds" (or the token's revert) is all one sees.
    if (balance := client.balance_of(sender.address)) < wei:
        raise SubmitError(
            f"account {sender.address} holds {format_amount(balance, unit)}, less than the deposit of "
            f"{format_amount(wei, unit)}"
        )
    click.echo(
        f"{file}: {counted(len(workflow.steps), 'step')}; every attempt paid: "
        f"{format_amount(estimate.required_wei, unit)}; depositing {format_amount(wei, unit)} "
        "(the unspent rest is refundable)"
    )
    if workflow.runner or workflow.keeper is not None:
        gas = workflow.keeper.gas_deposit_wei if workflow.keeper else 0
        mode = "runner mode (`tiny-hops runner` dispatches)" if workflow.runner else "default mode"
        click.echo(f"{mode}; gas deposit for keepers: {format_wei(gas)} (the unspent rest is refundable)")
    workflow_id = client.submit(workflow, sender, wei)
    click.echo(f"Your workflowId is : {workflow_id}")
    if wait:
        watch(workflow_id, None, as_json=False)
    return workflow_id


def _labels(client: RegistryClient, view: Any, file: Path | None, parameters: tuple[str, ...]) -> Labels:
    """The names of a workflow's steps: FILE's (checked against the workflow on chain), else what this machine
    recorded when it submitted it, else none (the numbers are shown)."""
    if file is not None:
        return Labels.of(checked_file(file, view, client.backend, given(parameters)))
    return client.labels(view)


def watch(workflow_id: int, file: Path | None, as_json: bool, parameters: tuple[str, ...] = ()) -> None:
    """Print one JSON snapshot, or a live table until the workflow ends (then a one-line outcome). Exits with
    the workflow's code (tinyhops.cli.exit_codes): 0 only for Completed. FILE (its parameters given
    `parameters`), checked against the workflow on chain, supplies its name and its steps' names; without it,
    the names recorded when this machine submitted it."""
    client, chain = _client()
    view = view_of(client, workflow_id)
    labels = _labels(client, view, file, parameters)
    title, names = labels.name, dict(labels.names)
    if as_json:
        click.echo(json.dumps(monitor.snapshot(view, names, title, client.unit, labels.ids)))
    else:
        node = f"the node at {getattr(chain.provider, 'uri', None) or 'the RPC URL'}"
        view = monitor.watch(
            client, workflow_id, lambda: chain.blocks.height, names, name=title, node=node, ids=labels.ids
        )
        refundable = int(client.registry.refundableOf(view.owner))
        click.echo(
            f"Workflow {workflow_id}: {view.status.name.title()}{monitor.run_note(view)}, "
            f"{view.completed}/{view.step_count} steps, "
            f"spent {format_amount(view.spent_wei, client.unit)}; {format_amount(refundable, client.unit)} "
            f"refundable to {view.owner}"
        )
    code = exit_codes.for_workflow(view.status)
    if code != exit_codes.OK:
        raise SystemExit(code)


def control(action: str, workflow_id: int, account: str | None) -> None:
    """pause, resume or cancel a workflow (owner only: the registry says so otherwise)."""
    client, _ = _client()
    getattr(client, action)(workflow_id, _account(account))
    status = client.view(workflow_id).status
    click.echo(f"Workflow {workflow_id} is now {status.name.title()}")


def redrive(workflow_id: int, deposit: str | None, account: str | None) -> int:
    """Start the next run of a Failed or Cancelled workflow (owner only) with --deposit (default: exactly
    every attempt of the steps without a result); return the run's number."""
    client, _ = _client()
    unit = client.unit
    deposit_wei = parse_deposit(deposit, unit) if deposit is not None else None
    run, redriven = client.redrive(workflow_id, _account(account), deposit_wei)
    view = client.view(workflow_id)  # the run may have moved on (or ended) already
    click.echo(
        f"Workflow {workflow_id}: run {run} started, {counted(redriven, 'step')} back in play, "
        f"{view.step_count - redriven} kept; now {view.status.name.title()}"
    )
    return run


def withdraw(account: str | None) -> None:
    """Send the account its refundable balance and its gas balance (ether: keeper payments, refunded gas
    deposits); with neither, say so and succeed (nothing is sent)."""
    client, _ = _client()
    signer_account = _account(account)
    amount = client.withdraw(signer_account)
    gas = client.withdraw_gas(signer_account)
    if amount == 0 and gas == 0:
        click.echo(f"nothing to withdraw: {signer_account.address} has no refundable balance")
    if amount:
        click.echo(f"withdrew {format_amount(amount, client.unit)} to {signer_account.address}")
    if gas:
        click.echo(f"withdrew {format_wei(gas)} of gas balance (keeper payments, gas deposits refunded) to "
                   f"{signer_account.address}")


def inspect_workflow(workflow_id: int) -> None:
    """`inspect ID`: the workflow's DAG as submitted, then every step's state and failed attempts."""
    from rich.console import Console

    from tinyhops.render import report

    client, chain = _client()
    view = client.view(workflow_id)
    labels = client.labels(view)
    console = Console()
    try:
        submitted = labelled(submitted_workflow(client.registry, chain, workflow_id), labels)
        console.print(report.dag_table(submitted, client.unit))
    except TinyHopsError as exc:  # submitted through a contract: its state is still there
        click.echo(f"(definition not shown: {exc})")
    console.print(monitor.table(view, dict(labels.names), labels.name, console.width, client.unit, labels.ids))
    click.echo(monitor.outcome(view))


def draw(target: str, names_file: Path | None, out: Path | None, fmt: str, parameters: tuple[str, ...] = ()) -> None:
    """Mermaid or DOT of a workflow FILE (its parameters given `parameters`), or of workflow ID on chain with its
    step statuses coloured and its failed attempts' reasons (NAMES_FILE, checked against it, names its steps;
    without it, the names recorded when this machine submitted it)."""
    statuses = notes = title = None
    if Path(target).exists():
        workflow = spec.load(target, parameters=given(parameters))
    elif target.isdigit():
        client, chain = _client()
        view = view_of(client, int(target))
        if names_file is not None:
            workflow = checked_file(names_file, view, client.backend, given(parameters))
        else:
            workflow = labelled(submitted_workflow(client.registry, chain, int(target)), client.labels(view))
        statuses = {s.step_id: s.status for s in view.steps}
        notes = {s.step_id: s.failures[-1].describe() for s in view.steps if s.failures}
        title = f"workflow {target}, run {view.run}" if view.run > 1 else None
        notes.update({s.step_id: f"served from the cache (job {s.job_id})" for s in view.steps if s.cached})
    else:
        raise TinyHopsError(f"{target!r} is neither a workflow file nor a workflow id")
    draw_as = graph.mermaid if fmt == "mermaid" else graph.dot
    text = draw_as(workflow, statuses, notes, title)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text)
        click.echo(f"wrote {out}")


def runner(workflow_ids: tuple[int, ...], account: str | None, poll: float, once: bool) -> int:
    """`runner [ID...]`: the keeper of runner-mode workflows (tinyhops.chain.keeper); returns transactions sent."""
    from tinyhops.chain.keeper import RUNNER_MODE, serve

    project, chain = _context()
    return serve(project, chain, account, poll, once, click.echo, RUNNER_MODE, frozenset(workflow_ids))
