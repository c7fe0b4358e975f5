"""What a module makes, shaped as Lilypad's results: a directory of `stdout`, `stderr` and `outputs/<files>`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class JobResult:
    """A job's stdout and stderr bytes and its output files (name to bytes, under `outputs/`)."""

    stdout: bytes = b""
    stderr: bytes = b""
    outputs: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}))

    def tree(self) -> dict[str, bytes | dict[str, bytes]]:
        """The result directory as `ContentStore.put_tree` takes it."""
        return {"stdout": self.stdout, "stderr": self.stderr, "outputs": dict(self.outputs)}
