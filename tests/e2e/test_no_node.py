"""No node answering: every chain command, from `ape run` and from `tiny-hops`, says so in one line naming the
node and what to do, exit code 1, no traceback; `ape run graph FILE` needs no node; a --rpc that is not a URL
is named as such. Nothing listens on the port these commands are pointed at."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_processes import Finished, ape_run, tiny_hops

from tinyhops.chain.devchain import free_port
from tinyhops.spec.sample import write_sample

APE_COMMANDS = [
    ["deploy"],
    ["submit", "sample.thops.json"],
    ["monitor", "1"],
    ["provider"],
    ["keeper", "--once"],
    ["graph", "1"],
    ["pause", "1"],
    ["withdraw"],
]


@pytest.fixture
def dead_node() -> str:
    return f"http://127.0.0.1:{free_port()}"  # nothing listens there


def test_every_ape_run_command_says_no_node_in_one_line(dead_node: str) -> None:
    runs = [ape_run(*args, chain_uri=dead_node) for args in APE_COMMANDS]
    for args, run in zip(APE_COMMANDS, runs, strict=True):
        finished = Finished.of(run)
        assert finished.one_line_error() == (
            f"error: cannot reach a node at {dead_node} (FoundryProviderError); start one with `make chain`"
        ), (args, finished)


def test_every_tiny_hops_chain_command_says_no_node_in_one_line(dead_node: str, tmp_path: Path) -> None:
    write_sample(tmp_path / "sample.thops.json")
    commands = [["run", "sample.thops.json"], ["monitor", "1"], ["graph", "1"], ["cancel", "1"], ["withdraw"]]
    runs = [tiny_hops(*args, "--rpc", dead_node, cwd=tmp_path) for args in commands]
    for args, run in zip(commands, runs, strict=True):
        line = Finished.of(run).one_line_error()
        assert line.startswith(f"error: cannot reach a node at {dead_node} ("), (args, line)
        assert line.endswith("start one with `make chain`"), (args, line)


def test_graph_of_a_file_needs_no_node(dead_node: str) -> None:
    drawn = Finished.of(ape_run("graph", "sample.thops.json", chain_uri=dead_node))
    assert drawn.code == 0 and drawn.stdout.startswith("flowchart TD\n"), drawn
    assert drawn.stderr == "", drawn


def test_an_rpc_that_is_not_a_url_is_named_so(tmp_path: Path) -> None:
    bad_option = tiny_hops("monitor", "1", "--rpc", "nonsense", cwd=tmp_path)
    bad_variable = tiny_hops("withdraw", cwd=tmp_path, THOPS_RPC_URL="localhost:8545")
    assert Finished.of(bad_option).one_line_error() == (
        "error: --rpc 'nonsense' is not a node URL (one such as http://127.0.0.1:8545)"
    )
    assert Finished.of(bad_variable).one_line_error() == (
        "error: $THOPS_RPC_URL 'localhost:8545' is not a node URL (one such as http://127.0.0.1:8545)"
    )
