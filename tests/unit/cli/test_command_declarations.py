"""Each chain command's one declaration: its action exists, and both front ends expose the same parameters."""

from __future__ import annotations

import inspect
from importlib import import_module
from types import SimpleNamespace

import pytest

from tinyhops.cli import commands, exit_codes
from tinyhops.cli.main import main

CHAIN_COMMANDS = import_module("tinyhops.cli.chain_commands")


@pytest.mark.parametrize("declared", commands.ALL, ids=lambda d: d.name)
def test_every_declaration_names_a_function_that_takes_its_parameters(declared: commands.ChainCommand) -> None:
    work = getattr(CHAIN_COMMANDS, declared.action or declared.name)
    command = commands.tiny_hops(declared)
    given = {p.name for p in command.params} - {"rpc"} | set(declared.fixed)
    assert given == set(inspect.signature(work).parameters)


@pytest.mark.parametrize("declared", commands.ALL, ids=lambda d: d.name)
def test_ape_run_and_tiny_hops_take_the_same_parameters(declared: commands.ChainCommand) -> None:
    ape_names = {p.name for p in commands.ape_run(declared).params}
    tiny_hops_names = {p.name for p in commands.tiny_hops(declared).params}
    assert tiny_hops_names - {"rpc"} <= ape_names  # ape adds its own (--network, --verbosity)


def test_the_exit_codes_in_the_help_are_the_codes_the_commands_use() -> None:
    assert commands.MONITOR.help.count(exit_codes.ENDED_HELP) == 1
    wait = next(p for p in main.commands["run"].params if p.name == "wait")
    assert exit_codes.ENDED_HELP in (wait.help or "")
    for status in ("Completed", "Failed", "Cancelled"):
        code = exit_codes.for_workflow(SimpleNamespace(name=status.upper()))
        assert f"{code} {status}" in exit_codes.ENDED_HELP
