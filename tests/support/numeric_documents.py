"""Workflow documents with numeric step ids only, made by a seeded pseudo-random generator (no Tiny Hops import):
the same documents for any version of the encoder, so that its output can be compared with a recorded one
(`tests/data/numeric-encoding.json`, written by the encoder before step names and parameters existed)."""

from __future__ import annotations

import random
from typing import Any

SEEDS = range(60)
_TEXT = ["moo", "{", "}", '{"a": [1]}', "\\", "\\\\", "stepId:", "{stepId:1}", "é", "🐄", " ", "=", "x/y"]
_MODULES = ["cowsay:v0.0.1", "sdxl:v0.9-lilypad1", "lilysay:0.5.2", "github.com/noryev/module-sdxl-ipfs:main"]


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(_TEXT) for _ in range(rng.randint(0, 4)))


def _template(rng: random.Random, earlier: list[int], inputs: bool) -> str:
    parts = []
    for _ in range(rng.randint(0, 4)):
        if earlier and rng.random() < 0.4:
            parts.append(f"{{{{stepId:{rng.choice(earlier)}}}}}" + (rng.choice(["", "/stdout", "/outputs/a.png"])))
        else:
            text = _text(rng)
            parts.append(text.replace("=", "").replace("\\", "") if inputs else text)
    text = "".join(parts)
    return text.rstrip("\\") if not inputs else text


def document(seed: int) -> dict[str, Any]:
    """The numeric workflow of `seed`: ids written as strings or numbers, `needs` or levels, params or inputs."""
    rng = random.Random(seed)
    count = rng.randint(1, 12)
    ids = list({rng.getrandbits(64) for _ in range(count)}) if seed % 3 else rng.sample(range(40), count)
    steps: list[Any] = []
    for index, step_id in enumerate(ids):
        earlier = ids[:index]
        written: Any = str(step_id) if rng.random() < 0.5 else step_id
        module: dict[str, Any] = {"cmd": rng.choice(_MODULES), "cost": rng.choice(["1", "0.5", "3 gwei", 2])}
        if rng.random() < 0.3:
            module["inputs"] = {f"In{k}": _template(rng, earlier, True) for k in range(rng.randint(1, 3))}
        else:
            module["params"] = _template(rng, earlier, False)
        step: dict[str, Any] = {"stepId": written, "stepModule": module}
        if seed % 2:
            step["needs"] = [str(n) for n in rng.sample(earlier, min(len(earlier), rng.randint(0, 3)))]
        if rng.random() < 0.3:
            step["retries"] = rng.randint(0, 5)
            step["timeout"] = rng.randint(0, 86400)
        steps.append(step)
    return {"version": "v0.0.1", "steps": steps}
