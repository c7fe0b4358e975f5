"""Which steps may use the registry's result cache when the workflow file does not say: those whose module the
catalog calls `deterministic` (the same inputs give the same bytes). A step's own `cacheable` always wins."""

from __future__ import annotations

from dataclasses import replace

from tinyhops.catalog.entries import Catalog, shipped_catalog
from tinyhops.spec.model import Workflow


def with_cache_defaults(workflow: Workflow, catalog: Catalog | None = None) -> Workflow:
    """`workflow` with every step the file left silent made cacheable exactly when the catalog (default: the
    one in use, `shipped_catalog`) lists its module as deterministic; a module it does not list is not."""
    if all(step.cacheable_given for step in workflow.steps):
        return workflow
    known = catalog if catalog is not None else shipped_catalog()
    steps = []
    for step in workflow.steps:
        if not step.cacheable_given:
            entry = known.get(step.module)
            step = replace(step, cacheable=entry is not None and entry.deterministic, cacheable_given=True)
        steps.append(step)
    return replace(workflow, steps=tuple(steps))
