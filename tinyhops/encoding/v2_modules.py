"""What a step written with only `params` becomes on Lilypad v2: the module's v2 name and its main input.

Lilypad v2 modules take named inputs (`-i Message=hi`), while a v1 step has one params string. Until the
module catalog replaces it, this table says, for the modules the sample and the local provider use, which
input the params become and under which name Lilypad v2 offers the module (`shared/LILYPAD.md`, "Modules"):

| file's `cmd` | sent on v2 as | params become |
|---|---|---|
| `cowsay:v0.0.1`, `cowsay:v0.0.4` | `cowsay:v0.0.4` | `Message` |
| `lilysay:0.5.2` | `lilysay:0.5.2` | `Message` |
| `sdxl:v0.9-lilypad1`, `sdxl-pipeline:v0.9-base-lilypad1` | `sdxl-pipeline:v0.9-base-lilypad1` | `Prompt` (1) |
| `github.com/noryev/module-sdxl-ipfs:main` | the same | `prompt` |

(1) or, for params that are a JSON object of `prompt` and `seed` only, `Prompt` and `Seed`.

The v1-era `sdxl:v0.9-lilypad1` took its prompt as `PromptEnv="PROMPT=..."`, an input whose value holds an
`=`, which the v2 job creator drops: on v2 it is the SDXL 0.9 base of Lilypad's sdxl-pipeline module, which
takes `Prompt` and `Seed`. An sdxl step whose params are a JSON object of those fields only (the sample's
`{"prompt": ..., "seed": 42}`) sends each field as its input; any other params are the prompt. A module not
in the table needs `stepModule.inputs` on v2.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class V2Module:
    """How a params-only step of a module travels on Lilypad v2."""

    name: str  # the module as Lilypad v2 names it
    primary: str  # the input the params become
    fields: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # JSON field -> input


_COWSAY = V2Module("cowsay:v0.0.4", "Message")
_SDXL = V2Module("sdxl-pipeline:v0.9-base-lilypad1", "Prompt", MappingProxyType({"prompt": "Prompt", "seed": "Seed"}))

MODULES: Mapping[str, V2Module] = MappingProxyType(
    {
        "cowsay:v0.0.1": _COWSAY,
        "cowsay:v0.0.4": _COWSAY,
        "lilysay:0.5.2": V2Module("lilysay:0.5.2", "Message"),
        "sdxl:v0.9-lilypad1": _SDXL,
        "sdxl-pipeline:v0.9-base-lilypad1": _SDXL,
        "github.com/noryev/module-sdxl-ipfs:main": V2Module("github.com/noryev/module-sdxl-ipfs:main", "prompt"),
    }
)


def v2_name(module: str) -> str:
    """The name Lilypad v2 knows `module` by: the table's, or `module` itself."""
    known = MODULES.get(module)
    return known.name if known else module
