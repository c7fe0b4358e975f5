"""The npm UnixFS importer (tests/support/unixfs_oracle.mjs) run through node, as the tests' oracle.

A tree is a file (bytes, or `Pattern(n)`: n bytes i % 251, which need not travel as JSON) or a directory
(a dict of names to trees).
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tinyhops.paths import PROJECT_ROOT

SCRIPT = Path(__file__).with_name("unixfs_oracle.mjs")
NODE = shutil.which("node") or "node"


@dataclass(frozen=True)
class Pattern:
    size: int

    def data(self) -> bytes:
        return (bytes(range(251)) * (self.size // 251 + 1))[: self.size]


def _entries(tree, path: str) -> list[dict]:
    if isinstance(tree, Pattern):
        return [{"path": path, "size": tree.size}]
    if isinstance(tree, bytes):
        return [{"path": path, "content": base64.b64encode(tree).decode()}]
    entries = [{"path": path}]
    for name, sub in tree.items():
        entries += _entries(sub, f"{path}/{name}")
    return entries


def _ask(request: dict) -> dict:
    done = subprocess.run(
        [NODE, str(SCRIPT)], input=json.dumps(request), capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def oracle_cid(tree, cid_version: int) -> str:
    """The CID ipfs-unixfs-importer (kubo's defaults) gives `tree`."""
    return _ask({"op": "add", "cidVersion": cid_version, "entries": _entries(tree, "root")})["cid"]


def oracle_car(file: Path) -> dict:
    """@ipld/car's reading of a CAR file: its roots and its blocks' CIDs (each block's hash checked)."""
    return _ask({"op": "car", "file": str(file)})


def as_bytes_tree(tree):
    """`tree` with every Pattern made into its bytes."""
    if isinstance(tree, Pattern):
        return tree.data()
    if isinstance(tree, bytes):
        return tree
    return {name: as_bytes_tree(sub) for name, sub in tree.items()}
