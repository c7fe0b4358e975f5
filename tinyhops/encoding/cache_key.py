"""The registry's result-cache key of a step (IWorkflowRegistry.cachedResult): keccak256 of the module name's
length as one byte, the module name and the resolved params exactly as Lilypad is sent them (on v2, the
inputs joined by 0x1e)."""

from __future__ import annotations

from eth_utils import keccak


def cache_key(module: str, params: str | bytes) -> bytes:
    """The 32-byte key the registry looks a cacheable step up by, and fills once its result is accepted."""
    name = module.encode()
    resolved = params.encode() if isinstance(params, str) else bytes(params)
    if not 0 < len(name) < 256:
        raise ValueError(f"module name of {len(name)} bytes: a module name is 1 to 128 bytes")
    return keccak(bytes([len(name)]) + name + resolved)
