"""Where Tiny Hops keeps local state. Both can be moved with environment variables (tests do)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def state_dir() -> Path:
    """The provider's content store and cursors: $TINYHOPS_HOME, else `.tinyhops/` in the project."""
    return Path(os.environ.get("TINYHOPS_HOME") or PROJECT_ROOT / ".tinyhops")


def deployments_file() -> Path:
    """Contract addresses per chain id: $TINYHOPS_DEPLOYMENTS, else `deployments.json` in the project."""
    return Path(os.environ.get("TINYHOPS_DEPLOYMENTS") or PROJECT_ROOT / "deployments.json")
