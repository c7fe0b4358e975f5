"""Every chain command, declared once: its name, its help, its arguments and options, and what it does
once connected (a function of `tinyhops.cli.chain_commands`, imported only when the command runs).

Two front ends make click commands of these declarations: `tiny_hops(declared)` for the `tiny-hops` group
(adds --rpc and connects to that node, Ape imported only then) and `ape_run(declared)` for the one-line
scripts in `scripts/` (`ape run NAME`; tinyhops.cli.ape_command connects, --network).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

import click

from tinyhops.cli import exit_codes, options
from tinyhops.cli.reporting import reports_errors


@dataclass(frozen=True)
class ChainCommand:
    """A command that needs a node. `action` names the function in tinyhops.cli.chain_commands that does the
    work (the command's own name when not given); it is called with the parsed parameters (and `fixed`).
    `offline` says, from the parameters, when the command needs no node at all (a graph of a file)."""

    name: str
    help: str
    parameters: tuple[Callable[[Any], Any], ...]
    action: str | None = None
    fixed: Mapping[str, Any] = field(default_factory=dict)
    offline: Callable[[Mapping[str, Any]], bool] = lambda _parameters: False
    signs: bool = True  # sends transactions (its --rpc help names THOPS_PRIVATE_KEY); False: only reads

    def run(self, parameters: Mapping[str, Any]) -> Any:
        work = getattr(import_module("tinyhops.cli.chain_commands"), self.action or self.name)
        return work(**self.fixed, **parameters)


def _control(action: str) -> ChainCommand:
    return ChainCommand(
        action,
        f"{action.title()} workflow WORKFLOW_ID (owner only).",
        (options.workflow_id, options.account()),
        action="control",
        fixed={"action": action},
    )


SUBMIT = ChainCommand(
    "submit",
    "Validate FILE (its parameters given by --param NAME=VALUE), check its costs against Lilypad, submit it with "
    "its deposit; print the workflow id.",
    (
        options.workflow_file,
        options.parameters,
        options.deposit,
        options.account(),
        options.wait,
        options.no_cache,
        options.runner,
        options.gas_deposit,
        options.max_gas_price,
        options.premium,
        options.max_paid_per_call,
    ),
)
MONITOR = ChainCommand(
    "monitor",
    "Live table of WORKFLOW_ID's steps until it ends (FILE, if given, supplies step names); "
    f"{exit_codes.ENDED_HELP} (--json: {exit_codes.NOT_ENDED} while it has not ended); {exit_codes.ERROR} on an error.",
    (options.workflow_id, options.optional_names_file, options.parameters, options.as_json),
    action="watch",
    signs=False,
)
PAUSE, RESUME, CANCEL = (_control(action) for action in ("pause", "resume", "cancel"))
REDRIVE = ChainCommand(
    "redrive",
    "Start the next run of failed or cancelled workflow WORKFLOW_ID (owner only): completed steps keep their "
    "results, the others run again; --deposit pays for it (default: every attempt of those steps).",
    (options.workflow_id, options.deposit, options.account()),
)
WITHDRAW = ChainCommand(
    "withdraw",
    "Pay out the account's refundable balance (unspent deposits of ended workflows).",
    (options.account(),),
)
GRAPH = ChainCommand(
    "graph",
    "Draw TARGET (a workflow file, its parameters given by --param; or a workflow id with its statuses and "
    "failures; NAMES_FILE, if given, supplies its step names) as Mermaid or DOT.",
    (options.graph_target, options.names_for_target, options.parameters, options.graph_format, options.out_file),
    action="draw",
    offline=lambda parameters: Path(parameters["target"]).exists(),
    signs=False,
)

RUNNER = ChainCommand(
    "runner",
    "Dispatch the ready steps of runner-mode workflows (WORKFLOW_IDS, default every one) with `advance`, paid "
    "from each workflow's gas deposit; expire overdue attempts. Any account; safe to stop and restart.",
    (options.workflow_ids, options.account(), options.poll, options.once),
)
ALL = (SUBMIT, MONITOR, PAUSE, RESUME, CANCEL, REDRIVE, WITHDRAW, GRAPH, RUNNER)


def _decorated(callback: Callable[..., Any], parameters: tuple[Callable[[Any], Any], ...]) -> Callable[..., Any]:
    for parameter in reversed(parameters):
        callback = parameter(callback)
    return callback


def tiny_hops(declared: ChainCommand, name: str | None = None) -> click.Command:
    """The `tiny-hops` form: --rpc added; connected to that node unless the command is offline."""

    @reports_errors
    def callback(rpc: str | None, **parameters: Any) -> Any:
        if declared.offline(parameters):
            return declared.run(parameters)
        from tinyhops.chain.connection import connect

        with connect(rpc):
            return declared.run(parameters)

    return click.command(name or declared.name, help=declared.help)(
        _decorated(callback, (*declared.parameters, options.rpc_signing if declared.signs else options.rpc))
    )


def ape_run(declared: ChainCommand) -> click.Command:
    """The `ape run` form: Ape connects (--network) before the command runs, unless it is offline; a node
    that does not answer is one line (tinyhops.cli.ape_command)."""
    from tinyhops.cli.ape_command import NodeCommand

    @reports_errors
    def callback(**parameters: Any) -> Any:
        return declared.run(parameters)

    command = click.command(declared.name, cls=NodeCommand, help=declared.help, offline=declared.offline)
    return command(_decorated(callback, declared.parameters))
