"""Where reliability tests leave their figures: one JSON file per test in $TINYHOPS_FIGURES_DIR, which
`python -m tinyhops.testing.reliability.figures` (`make figures`) sets, collects and prints. Unset, nothing is kept."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

FIGURES_DIR_VARIABLE = "TINYHOPS_FIGURES_DIR"
SOAK_VARIABLE = "TINYHOPS_SOAK"
SEED_VARIABLE = "TINYHOPS_SEED"
DEFAULT_SEED = 20261127


def soak() -> bool:
    """The heavy profile (TINYHOPS_SOAK=1): more of everything, for runs outside CI."""
    return os.environ.get(SOAK_VARIABLE, "") not in ("", "0")


def seed() -> int:
    """The suite's seed: TINYHOPS_SEED, else a fixed default, so a run's figures and failures replay."""
    return int(os.environ.get(SEED_VARIABLE) or DEFAULT_SEED)


def profile(default: int, heavy: int) -> int:
    return heavy if soak() else default


def record(name: str, **figures: Any) -> None:
    """Keep `figures` (JSON values) under `name` for the figures script; a no-op outside it."""
    folder = os.environ.get(FIGURES_DIR_VARIABLE)
    if not folder:
        return
    path = Path(folder) / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    temporary.replace(path)


def collected(folder: Path) -> dict[str, dict[str, Any]]:
    return {path.stem: json.loads(path.read_text()) for path in sorted(Path(folder).glob("*.json"))}
