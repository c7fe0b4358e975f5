"""Hypothesis strategies for workflow documents: valid DAGs in both spellings (levels and `needs`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tinyhops.spec import params
from tinyhops.spec.limits import MAX_STEP_ID

# Text that stresses the template: braces, JSON, backslashes, near-markers and non-ASCII.
_PIECES = st.sampled_from(
    [
        "{",
        "}",
        "{{",
        "}}",
        '{"a": [1, 2]}',
        "\\",
        "\\\\",
        "stepId:",
        "{{stepId",
        "{stepId:1}",
        "é",
        "🐄",
        " ",
        "x",
    ]
)
TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=6).map("".join)
STEP_IDS = st.integers(min_value=0, max_value=MAX_STEP_ID)
COSTS = st.one_of(
    st.integers(min_value=1, max_value=10**21).map(lambda n: f"{n} wei"),
    st.integers(min_value=1, max_value=10**6).map(lambda n: f"{n} gwei"),
    st.decimals(min_value="0.000001", max_value="1000", places=6).map(lambda d: f"{d.normalize():f}"),
)


@dataclass
class GeneratedWorkflow:
    """A document plus what the normalizer must make of it."""

    document: dict[str, Any]
    ids: list[int]  # in generation order, which is a topological order
    deps: dict[int, set[int]]
    segments: dict[int, tuple[params.Segment, ...]]


def _merge(segments: list[params.Segment]) -> tuple[params.Segment, ...]:
    merged: list[params.Segment] = []
    for segment in segments:
        if isinstance(segment, params.Text):
            if not segment.value:
                continue
            if merged and isinstance(merged[-1], params.Text):
                merged[-1] = params.Text(merged[-1].value + segment.value)
                continue
        merged.append(segment)
    return tuple(merged)


@st.composite
def segments_referencing(draw: st.DrawFn, candidates: list[int]) -> tuple[params.Segment, ...]:
    parts: list[params.Segment] = []
    for _ in range(draw(st.integers(0, 5))):
        if candidates and draw(st.booleans()):
            parts.append(params.Ref(draw(st.sampled_from(candidates))))
        else:
            parts.append(params.Text(draw(TEXT)))
    return _merge(parts)


def _step_body(step_id: int, segments: tuple[params.Segment, ...], cost: str, extra: dict[str, Any]) -> dict:
    body = {
        "stepId": str(step_id),
        "stepModule": {"cmd": "cowsay:v0.0.1", "params": params.unparse(segments), "cost": cost},
    }
    body.update(extra)
    return body


@st.composite
def dag_workflows(draw: st.DrawFn, max_steps: int = 25) -> GeneratedWorkflow:
    """Steps with explicit `needs` (roots `needs: []`), written in a shuffled order."""
    n = draw(st.integers(1, max_steps))
    ids = draw(st.lists(STEP_IDS, min_size=n, max_size=n, unique=True))
    deps: dict[int, set[int]] = {}
    segments: dict[int, tuple[params.Segment, ...]] = {}
    bodies = []
    for i, sid in enumerate(ids):
        earlier = ids[:i]
        needs = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=4)) if earlier else []
        segs = draw(segments_referencing(earlier))
        segments[sid] = segs
        deps[sid] = set(needs) | set(params.references(segs))
        extra: dict[str, Any] = {"needs": [str(x) for x in needs]}
        if draw(st.booleans()):
            extra["retries"] = draw(st.integers(0, 5))
            extra["timeout"] = draw(st.integers(0, 86400))
        bodies.append(_step_body(sid, segs, draw(COSTS), extra))
    shuffled = draw(st.permutations(bodies))
    grouped = draw(st.booleans())
    steps: list[Any] = [list(shuffled)] if grouped else list(shuffled)
    return GeneratedWorkflow({"version": "v0.0.1", "steps": steps}, ids, deps, segments)


@st.composite
def level_workflows(draw: st.DrawFn, max_levels: int = 6) -> GeneratedWorkflow:
    """The original spelling: entries are levels (a step or a parallel group), no `needs`."""
    levels = draw(st.lists(st.integers(1, 4), min_size=1, max_size=max_levels))
    ids = draw(st.lists(STEP_IDS, min_size=sum(levels), max_size=sum(levels), unique=True))
    deps: dict[int, set[int]] = {}
    segments: dict[int, tuple[params.Segment, ...]] = {}
    entries: list[Any] = []
    taken = 0
    previous: list[int] = []
    for width in levels:
        level_ids = ids[taken : taken + width]
        earlier = ids[:taken]
        taken += width
        group = []
        for sid in level_ids:
            segs = draw(segments_referencing(earlier))
            segments[sid] = segs
            deps[sid] = set(previous) | set(params.references(segs))
            group.append(_step_body(sid, segs, draw(COSTS), {}))
        entries.append(group[0] if width == 1 and draw(st.booleans()) else group)
        previous = level_ids
    return GeneratedWorkflow(
        {"$schema": "http://json-schema.org/draft-04/schema#", "version": "v0.0.1", "steps": entries},
        ids,
        deps,
        segments,
    )


workflows = st.one_of(dag_workflows(), level_workflows())
