"""The modules the local provider serves, by Lilypad module name, and `run_module` to run one.

Each module is a function `(params, store) -> JobResult` in a file of its own (stdout, stderr and output
files, the directory Lilypad returns); any failure, an unknown module included, is raised as `ModuleFailed`
with a one-line reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType

from tinyhops.errors import ModuleFailed, StoreError
from tinyhops.provider.modules import caption, cow, joke, sdxl, speak, video, wasm
from tinyhops.provider.modules.result import JobResult
from tinyhops.provider.store import ContentStore

Runner = Callable[[str, ContentStore], JobResult]

# Sample programs for deterministic_wasm (WAT text), for tests and demos to put in a store.
SAMPLES = Path(__file__).parent / "samples"

MODULES: Mapping[str, Runner] = MappingProxyType(
    {
        cow.NAME: cow.run,
        sdxl.NAME: sdxl.run,
        wasm.NAME: wasm.run,
        joke.NAME: joke.run,
        caption.NAME: caption.run,
        speak.NAME: speak.run,
        video.NAME: video.run,
    }
)

__all__ = ["MODULES", "SAMPLES", "JobResult", "ModuleFailed", "Runner", "run_module"]


def run_module(name: str, params: str, store: ContentStore) -> JobResult:
    """Run module `name` on `params`; its result, or `ModuleFailed` with the reason."""
    runner = MODULES.get(name)
    if runner is None:
        raise ModuleFailed(f"unknown module {name!r}")
    try:
        return runner(params, store)
    except ModuleFailed:
        raise
    except StoreError as error:
        raise ModuleFailed(f"{name}: {error}") from error
    except Exception as error:  # a bug in a module still answers as a failed job, with what went wrong
        raise ModuleFailed(f"{name} crashed: {type(error).__name__}: {error}") from error
