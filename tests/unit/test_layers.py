"""The package's layers hold: the product never imports the test rigs or the benchmarks, the offline layers
never import Ape (or web3), and the `tiny-hops` entry point and its offline commands start without Ape."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "tinyhops"
PRODUCT = ("spec", "encoding", "chain", "provider", "render", "cli", "catalog")
OFFLINE = ("spec", "encoding", "render", "catalog")
RIGS = ("tinyhops.testing", "tinyhops.bench")
CHAIN_LIBRARIES = ("ape", "web3")  # eth_abi is a plain ABI codec: encoding may decode with it


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (inside functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def files_of(*packages: str) -> list[Path]:
    return sorted(path for package in packages for path in (PACKAGE / package).rglob("*.py"))


@pytest.mark.parametrize("path", files_of(*PRODUCT), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_product_never_imports_the_rigs(path: Path) -> None:
    rigs = {m for m in imported_modules(path) if m.startswith(RIGS)}
    assert not rigs, f"{path.relative_to(PACKAGE)} imports {sorted(rigs)}"


@pytest.mark.parametrize("path", files_of(*OFFLINE), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_offline_layers_never_import_a_chain_library(path: Path) -> None:
    chain = {m for m in imported_modules(path) if m.split(".")[0].startswith(CHAIN_LIBRARIES)}
    assert not chain, f"{path.relative_to(PACKAGE)} imports {sorted(chain)}"


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["validate", "sample.thops.json"],
        ["generate-template", "--force", "t.thops.json"],
        ["modules", "list"],
        ["modules", "show", "cowsay"],
    ],
)
def test_offline_commands_run_without_loading_ape(argv: list[str], tmp_path: Path) -> None:
    (tmp_path / "sample.thops.json").write_text((PACKAGE.parent / "sample.thops.json").read_text())
    probe = (
        "import sys\n"
        "from tinyhops.cli.main import main\n"
        f"sys.argv = ['tiny-hops', *{argv!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('ape', 'web3', 'eth_abi'))\n"
        "print('LOADED', loaded, 'CODE', code)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert result.stdout.strip().endswith("LOADED [] CODE 0"), result.stdout[-500:] + result.stderr[-500:]
