"""A Lilypad v2 job's inputs as the job-creator service reads them, and as the local modules take them.

`runJob` sends `string[] inputs`, each meant to be `Key=Value`. Lilypad's service (pkg/jobcreator,
onchain_jobcreator.go at v2.23.0) splits each element on every `=` and keeps it only when that gives exactly two
parts, silently dropping the rest (`Message`, `a=b=c`, base64 padding); a later duplicate key replaces an
earlier one (a Go map). `lilypad_inputs` does exactly that.

The local modules take one params string, and named inputs as a JSON object of strings: what v1 carries for a
step's `stepModule.inputs`. `module_inputs` turns a v2 job into that same call, so a step runs alike on both
backends: the inputs the service keeps become the JSON object, and a module Lilypad v2 names otherwise
(`cowsay:v0.0.4`, `sdxl-pipeline:v0.9-base-lilypad1`: tinyhops.encoding.v2_modules) runs as the local module it
stands for.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from tinyhops.encoding.v2_modules import v2_name
from tinyhops.provider.modules import MODULES

# The local module serving each module Lilypad v2 knows under another name.
LOCAL_MODULE: Mapping[str, str] = MappingProxyType({v2_name(m): m for m in MODULES if v2_name(m) != m})


@dataclass(frozen=True)
class Inputs:
    """What the job creator keeps of a job's inputs (`values`, by key) and the elements it drops, in order."""

    values: Mapping[str, str]
    dropped: tuple[str, ...]


def lilypad_inputs(elements: Sequence[str]) -> Inputs:
    """Split each element as Lilypad's service does: kept only if it has exactly one `=`; last key wins."""
    values: dict[str, str] = {}
    dropped: list[str] = []
    for element in elements:
        parts = element.split("=")
        if len(parts) == 2:
            values[parts[0]] = parts[1]
        else:
            dropped.append(element)
    return Inputs(MappingProxyType(values), tuple(dropped))


@dataclass(frozen=True)
class ModuleCall:
    """The local module a job runs and its params, and what the provider logs about how its inputs were read."""

    module: str
    params: str
    inputs: Inputs
    asked_for: str  # the module as the job named it

    def note(self) -> str:
        """`` or a short suffix for the job's log line: the module it was asked for, the dropped elements."""
        notes = []
        if self.asked_for != self.module:
            notes.append(f"asked for as {self.asked_for}")
        if self.inputs.dropped:
            shown = ", ".join(repr(element[:40]) for element in self.inputs.dropped[:3])
            more = f" and {len(self.inputs.dropped) - 3} more" if len(self.inputs.dropped) > 3 else ""
            notes.append(f"dropped malformed input(s), not Key=Value with one '=': {shown}{more}")
        return "".join(f" ({note})" for note in notes)


def module_inputs(module: str, elements: Sequence[str]) -> ModuleCall:
    """The call the local stand-in makes for a v2 job of `module` with `elements`: the local module serving it
    and, as its params, the inputs Lilypad's service keeps as a JSON object of strings (empty: no inputs)."""
    inputs = lilypad_inputs(elements)
    params = json.dumps(dict(inputs.values), ensure_ascii=False) if inputs.values else ""
    return ModuleCall(LOCAL_MODULE.get(module, module), params, inputs, module)
