"""Toolchain smoke tests: solcjs behind tools/solc-shim.js compiles, anvil runs the result."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INTERFACE_FILES = sorted((ROOT / "contracts" / "interfaces").rglob("*.sol"))


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
def test_interface_file_is_compiled_with_the_project(project, path):
    # Declared interfaces become contract types of the project (free functions and constants alone do not).
    declared = [line.split()[1] for line in path.read_text().splitlines() if line.startswith("interface ")]
    for name in declared:
        assert getattr(project, name).contract_type.abi, name
