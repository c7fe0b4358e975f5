"""Where Tiny Hops keeps local state, and where it finds the checkout it may run from.

State (the provider's content store and cursors, the address book of deployments) lives in one directory:
- $TINYHOPS_HOME when set (tests set it);
- else `.tinyhops/` in the checkout, when the package runs from one (an editable install, `make`);
- else the per-user state directory: $XDG_STATE_HOME/tinyhops, by default ~/.local/state/tinyhops.
The address book can be moved on its own with $TINYHOPS_DEPLOYMENTS; in a checkout it stays
`deployments.json` at its root, where `ape run deploy` has always written it.
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_VARIABLE = "TINYHOPS_HOME"
DEPLOYMENTS_VARIABLE = "TINYHOPS_DEPLOYMENTS"

# The checkout's root when the package runs from one. Tools that exist only in a checkout (the demo, the
# benchmarks, the test rigs) use it as it is; the product asks `checkout_root()`.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def checkout_root() -> Path | None:
    """The Tiny Hops checkout this package runs from, or None when it is installed (site-packages)."""
    if (PROJECT_ROOT / "ape-config.yaml").is_file() and (PROJECT_ROOT / "contracts" / "WorkflowRegistry.sol").is_file():
        return PROJECT_ROOT
    return None


def user_state_dir() -> Path:
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "tinyhops"


def state_dir() -> Path:
    """The provider's content store and cursors (see the module docstring for the order of choices)."""
    if os.environ.get(HOME_VARIABLE):
        return Path(os.environ[HOME_VARIABLE])
    root = checkout_root()
    return root / ".tinyhops" if root is not None else user_state_dir()


def deployments_file() -> Path:
    """Contract addresses per chain id: $TINYHOPS_DEPLOYMENTS, else `deployments.json` in the checkout, else
    `deployments.json` in the state directory."""
    if os.environ.get(DEPLOYMENTS_VARIABLE):
        return Path(os.environ[DEPLOYMENTS_VARIABLE])
    root = checkout_root()
    return root / "deployments.json" if root is not None else state_dir() / "deployments.json"
