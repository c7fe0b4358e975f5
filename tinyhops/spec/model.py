"""The normalized workflow: steps in topological order with their needs, costs and outputs (no I/O here)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tinyhops.spec import inputs as inputs_
from tinyhops.spec import params

# Matched with fullmatch: `$` would also accept a trailing newline, which the chain rejects.
MODULE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*:[A-Za-z0-9][A-Za-z0-9._+-]*")


@dataclass(frozen=True)
class Output:
    """Metadata about one thing a step produces."""

    name: str
    media_type: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Step:
    """One normalized step. Equality covers what runs on-chain; names and descriptions are metadata."""

    step_id: int
    module: str
    params: tuple[params.Segment, ...]
    cost_wei: int
    needs: tuple[int, ...] = ()
    timeout: int = 0
    retries: int = 0
    # The step's id as the file names it (`fetch-data`), whose on-chain id `step_id` is derived from it
    # (tinyhops.spec.step_ids); None for a step the file gives a number.
    id_name: str | None = field(default=None, compare=False)
    # Whether the registry may serve the step from its result cache and fill it (StepDefinition.cacheable).
    cacheable: bool = False
    # Whether the file said `cacheable` (else the module catalog's `deterministic` decides at submit:
    # tinyhops.catalog.cache_defaults).
    cacheable_given: bool = field(default=False, compare=False)
    name: str | None = field(default=None, compare=False)
    description: str | None = field(default=None, compare=False)
    outputs: tuple[Output, ...] = field(default=(), compare=False)
    path: str = field(default="", compare=False)
    # The file's `stepModule.inputs`, keys in file order (None for a step written with `params`). `params`
    # then holds them as one JSON object string, what Lilypad v1 is sent; Lilypad v2 gets them as Key=Value
    # strings instead (tinyhops.encoding.backends).
    inputs: tuple[inputs_.Input, ...] | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        """The step's id as a person reads it: its name, or its number."""
        return self.id_name if self.id_name is not None else str(self.step_id)

    @property
    def params_source(self) -> str:
        return params.unparse(self.params)

    @property
    def max_spend_wei(self) -> int:
        """What this step may pay Lilypad if every attempt runs."""
        return self.cost_wei * (1 + self.retries)


@dataclass(frozen=True)
class KeeperBudget:
    """What keepers advancing the workflow are paid (IKeeperReimbursement), in wei: a gas deposit of ether
    apart from the step escrow; caps of 0 mean the registry's defaults."""

    gas_deposit_wei: int = 0
    max_gas_price_wei: int = 0
    premium_wei: int = 0
    max_paid_per_call_wei: int = 0


@dataclass(frozen=True)
class Workflow:
    """A validated workflow: steps in topological order, each `needs` listing step ids."""

    steps: tuple[Step, ...]
    version: str = field(default="v0.0.1", compare=False)
    name: str | None = field(default=None, compare=False)
    description: str | None = field(default=None, compare=False)
    # The Lilypad backend the steps were laid out for ("v1", "v2"; tinyhops.encoding.backends), None as read.
    backend: str | None = field(default=None, compare=False)
    # The value of each declared parameter, as resolved into the steps' params (tinyhops.spec.parameters).
    parameters: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # Runner mode: Lilypad's callback only records results; an off-chain runner dispatches (`advance`).
    runner: bool = field(default=False, compare=False)
    # The keeper budget, None for none (a plain submit, unless in runner mode: then the defaults).
    keeper: KeeperBudget | None = field(default=None, compare=False)

    def step(self, step_id: int) -> Step:
        return self._by_id()[step_id]

    def _by_id(self) -> dict[int, Step]:
        return {s.step_id: s for s in self.steps}

    def labels(self) -> dict[int, str]:
        """Each step's id as a person reads it (its name, or its number), by on-chain id."""
        return {s.step_id: s.label for s in self.steps}

    @property
    def edge_count(self) -> int:
        return sum(len(s.needs) for s in self.steps)

    def depths(self) -> dict[int, int]:
        """Depth of each step: 1 for a root, else one more than its deepest dependency."""
        depth: dict[int, int] = {}
        for s in self.steps:
            depth[s.step_id] = 1 + max((depth[n] for n in s.needs), default=0)
        return depth

    @property
    def depth(self) -> int:
        return max(self.depths().values(), default=0)

    @property
    def widest_level(self) -> int:
        counts: dict[int, int] = {}
        for d in self.depths().values():
            counts[d] = counts.get(d, 0) + 1
        return max(counts.values(), default=0)

    @property
    def total_cost_wei(self) -> int:
        """Every step run once."""
        return sum(s.cost_wei for s in self.steps)

    def without_cache(self) -> Workflow:
        """The workflow with no step cacheable (`--no-cache`): nothing read from the result cache, nothing put in."""
        return replace(self, steps=tuple(replace(s, cacheable=False, cacheable_given=True) for s in self.steps))

    @property
    def required_deposit_wei(self) -> int:
        """Every attempt of every step paid: what the registry asks for at submit."""
        return sum(s.max_spend_wei for s in self.steps)
