"""The package as `pip install .` makes it, in a new virtualenv outside the checkout.

The wheel is built from the checkout (hatchling, no build isolation) and installed with `--no-deps` into a
fresh virtualenv whose dependencies come from the checkout's virtualenv (a path entry, so the checkout's own
editable `tinyhops` is not among them): what runs is the wheel's `tinyhops` and its `tiny-hops` script, in
a folder that is not the checkout, reading the schema and the contract types from package data.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_processes import ANVIL_KEYS, Finished, launch

from tinyhops.paths import PROJECT_ROOT
from tinyhops.spec.sample import sample_document, write_sample


def _run(*command: str | Path, cwd: Path) -> None:
    subprocess.run([str(part) for part in command], cwd=cwd, check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bin/ folder of a new virtualenv holding the wheel built from the checkout."""
    root = tmp_path_factory.mktemp("installed")
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        root / "dist",
        PROJECT_ROOT,
        cwd=root,
    )
    (wheel,) = (root / "dist").glob("tinyhops-*.whl")
    venv = root / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=root)
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        venv / "bin" / "python",
        "install",
        "--no-deps",
        "--no-index",
        wheel,
        cwd=root,
    )
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    (venv / "lib" / version / "site-packages" / "checkout-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n"
    )
    yield venv / "bin"


def tiny_hops(installed: Path, *args: str | Path, cwd: Path, **extra: str) -> Finished:
    return Finished.of(launch([installed / "tiny-hops", *args], cwd, TINYHOPS_HOME=str(cwd / "state"), **extra))


def test_the_installed_package_is_the_wheel_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [
            installed / "python",
            "-c",
            "import tinyhops.spec.document as d, tinyhops.paths as p; print(d.SCHEMA_PATH); print(p.checkout_root())",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert where[0].startswith(str(installed.parent)) and where[0].endswith("tinyhops/spec/thops.schema.json")
    assert where[1] == "None"


def test_installed_validate_reads_the_sample_and_reports_a_broken_file_as_the_checkout_does(
    installed: Path, tmp_path: Path
) -> None:
    write_sample(tmp_path / "sample.thops.json")
    document = sample_document()
    document["steps"][0]["stepModule"]["cost"] = "-1"
    del document["steps"][1][0]["stepId"]
    (tmp_path / "broken.thops.json").write_text(json.dumps(document))
    (tmp_path / "trailing.thops.json").write_text('{"version": "1", "steps": [],}')
    checkout = Path(sys.executable).parent

    for name in ("sample", "broken", "trailing"):
        file = f"{name}.thops.json"
        ours = tiny_hops(installed, "validate", file, cwd=tmp_path)
        theirs = Finished.of(launch([checkout / "tiny-hops", "validate", file], tmp_path))
        assert (ours.code, ours.stdout, ours.stderr) == (theirs.code, theirs.stdout, theirs.stderr), name
        assert ours.code == (0 if name == "sample" else 1), ours
        assert "Traceback" not in ours.stderr


def test_installed_offline_commands_work_anywhere(installed: Path, tmp_path: Path) -> None:
    template = tiny_hops(installed, "generate-template", "mine.thops.json", cwd=tmp_path)
    assert template.code == 0 and "validated against the schema" in template.stdout, template
    inspected = tiny_hops(installed, "inspect", "mine.thops.json", cwd=tmp_path)
    assert inspected.code == 0 and "submit calldata" in inspected.stdout, inspected
    drawn = tiny_hops(installed, "graph", "mine.thops.json", cwd=tmp_path)
    assert drawn.code == 0 and drawn.stdout.startswith("flowchart"), drawn


def test_installed_catalog_is_the_wheels_package_data(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [installed / "python", "-c", "import tinyhops.catalog as c; print(c.CATALOG_DIR); print(c.SCHEMA_PATH)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert where[0].startswith(str(installed.parent)) and where[0].endswith("tinyhops/catalog/entries")
    assert where[1].startswith(str(installed.parent)) and where[1].endswith("tinyhops/catalog/module.schema.json")
    shipped = sorted(path.name for path in (PROJECT_ROOT / "catalog").glob("*.json"))
    assert sorted(path.name for path in Path(where[0]).glob("*.json")) == shipped
    listed = tiny_hops(installed, "modules", "show", "cowsay", cwd=tmp_path)
    assert listed.code == 0 and listed.stdout.startswith("cowsay: Cowsay (cowsay:v0.0.1)"), listed


def test_installed_chain_commands_work_given_rpc_and_a_deployment(e2e: Any, installed: Path, tmp_path: Path) -> None:
    write_sample(tmp_path / "sample.thops.json")
    uri = e2e.chain.provider.uri
    env = {"TINYHOPS_DEPLOYMENTS": str(e2e.deployments_file), "THOPS_PRIVATE_KEY": ANVIL_KEYS[1]}
    submitted = tiny_hops(installed, "run", "sample.thops.json", "--rpc", uri, cwd=tmp_path, **env)
    assert submitted.code == 0, submitted
    workflow_id = int(submitted.stdout.rsplit(":", 1)[1])
    snapshot = tiny_hops(installed, "monitor", str(workflow_id), "--json", "--rpc", uri, cwd=tmp_path, **env)
    assert snapshot.code == 4, snapshot  # a snapshot of a workflow that has not ended
    assert json.loads(snapshot.stdout)["workflow_id"] == workflow_id
    assert int(e2e.client.registry.getWorkflow(workflow_id).stepCount) == 4
