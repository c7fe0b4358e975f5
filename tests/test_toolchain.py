"""Toolchain smoke tests: solcjs behind tools/solc-shim.js compiles, anvil runs the result."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INTERFACE_FILES = sorted((ROOT / "interfaces").rglob("*.sol"))


def test_probe_deploys_and_answers_on_anvil(accounts, project, chain):
    assert chain.provider.name == "foundry"
    probe = accounts[0].deploy(project.ToolchainProbe)
    assert probe.add(2, 40) == 42


def test_transient_storage_runs_on_anvil(accounts, project):
    probe = accounts[0].deploy(project.ToolchainProbe)
    assert probe.transientRoundTrip.call(7) == 7


def test_compiled_with_pinned_solc_for_cancun(project):
    _ = project.ToolchainProbe  # compiles if needed
    used = [c for c in project.manifest.compilers or [] if "ToolchainProbe" in (c.contractTypes or [])]
    assert len(used) == 1
    assert used[0].name == "solidity"
    assert used[0].version.startswith("0.8.28+commit.7893614a")
    assert used[0].settings["evmVersion"] == "cancun"


@pytest.mark.parametrize("path", INTERFACE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_interface_file_compiles(project, path):
    # interfaces/ is not in Ape's contracts folder, so compile each file explicitly (see ape-config.yaml).
    compiled = project.load_contracts(path)
    assert isinstance(compiled, dict)
