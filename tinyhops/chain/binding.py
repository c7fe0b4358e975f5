"""Our contracts at known addresses, always with this project's ABI.

Ape keeps contract types it has seen on a custom (URL) network on disk, keyed by address, and merges
them into what `Container.at(address)` returns. Dev chains reuse addresses across restarts, so a type
cached from an older build would decode new return data wrongly; these bindings replace the cache.
"""

from __future__ import annotations

from typing import Any


def bind(container: Any, address: str) -> Any:
    """`container` (e.g. project.WorkflowRegistry) at `address`, with exactly the compiled ABI."""
    from ape import chain

    return chain.contracts.instance_at(
        address, contract_type=container.contract_type, fetch_from_disk=False, replace=True
    )
