"""How long commands take to start, as a user meets it: wall-clock seconds of whole processes, best of N."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _best_of(command: list[str], cwd: Path, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        best = min(best, time.perf_counter() - start)
    return best


def run(repeats: int = 5, echo: Callable[[str], None] = print) -> dict[str, float]:
    """Start-up of the offline `tiny-hops` commands next to a bare `python -c pass` and `ape --help`."""
    bin_dir = Path(sys.executable).parent
    tiny_hops = str(bin_dir / "tiny-hops")
    ape = shutil.which("ape", path=str(bin_dir)) or "ape"
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        subprocess.run([tiny_hops, "generate-template", "sample.thops.json"], cwd=cwd, check=True, capture_output=True)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "tiny-hops --help": [tiny_hops, "--help"],
            "tiny-hops validate sample.thops.json": [tiny_hops, "validate", "sample.thops.json"],
            "tiny-hops generate-template --force": [tiny_hops, "generate-template", "--force", "t.thops.json"],
            "ape --help": [ape, "--help"],
        }
        seconds = {name: _best_of(command, cwd, repeats) for name, command in commands.items()}
    echo(f"{'command':<40} {'seconds':>8}   (best of {repeats})")
    for name, value in seconds.items():
        echo(f"{name:<40} {value:>8.3f}")
    return seconds
