"""A Lilypad v2 job's inputs as the job-creator service reads them, and as the local modules take them.

`runJob` sends `string[] inputs`, each meant to be `Key=Value`. Lilypad's service (pkg/jobcreator,
onchain_jobcreator.go at v2.23.0) splits each element on every `=` and keeps it only when that gives exactly two
parts, silently dropping the rest (`Message`, `a=b=c`, base64 padding); a later duplicate key replaces an
earlier one (a Go map). `lilypad_inputs` does exactly that.

The local modules take one params string (the v1 way). `module_inputs` is the one bridge between the two, for
the local stand-in only: a module's params are its primary input (`Message` for the cow, `prompt` for the
picture; PRIMARY_INPUT). Until the workflow file names v2 inputs (`stepModule.inputs`, and a params-only step
sent as its module's primary input: the spec/encoding side), a params-only step reaches the job creator as ONE
element, its resolved params, which Lilypad's service would drop unless it happens to hold exactly one `=`. So
that such steps still run here, a job whose only input is that one malformed element gets it as its params, and
says so (`BRIDGED`). When the encoding sends `Message=...`, the bridge is simply never taken; the lead can then
replace PRIMARY_INPUT by the encoding's own table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

# The input a local module takes as its params, by module name (v1 names, and the v2 names Lilypad lists).
PRIMARY_INPUT: Mapping[str, str] = MappingProxyType(
    {
        "cowsay:v0.0.1": "Message",
        "cowsay:v0.0.4": "Message",
        "sdxl:v0.9-lilypad1": "prompt",
        "deterministic_wasm:v0.0.1": "input",
    }
)
BRIDGED = "its one input is not Key=Value: taken whole as its params, a params-only step"


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
    """The params a local module runs with, and what the provider logs about how its inputs were read."""

    params: str
    inputs: Inputs
    bridged: bool

    def note(self) -> str:
        """`` or a short suffix for the job's log line: the dropped elements, or the bridge taken."""
        if self.bridged:
            return f" ({BRIDGED})"
        if not self.inputs.dropped:
            return ""
        shown = ", ".join(repr(element[:40]) for element in self.inputs.dropped[:3])
        more = f" and {len(self.inputs.dropped) - 3} more" if len(self.inputs.dropped) > 3 else ""
        return f" (dropped malformed input(s), not Key=Value with one '=': {shown}{more})"


def module_inputs(module: str, elements: Sequence[str]) -> ModuleCall:
    """The params `module` runs with on the local stand-in: its primary input (PRIMARY_INPUT) from the inputs
    Lilypad's service keeps; empty without it (the module then says what it misses). One lone element that the
    service would drop is taken whole (see the module docstring: the bridge for params-only steps)."""
    inputs = lilypad_inputs(elements)
    primary = PRIMARY_INPUT.get(module)
    if primary is not None and primary in inputs.values:
        return ModuleCall(inputs.values[primary], inputs, bridged=False)
    if len(elements) == 1 and inputs.dropped:
        return ModuleCall(elements[0], inputs, bridged=True)
    return ModuleCall("", inputs, bridged=False)
