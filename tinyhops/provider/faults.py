"""Fault injection for the local provider, for reliability tests: `ape run provider --faults SEED:FAIL:HANG`.

Off unless asked for. With a plan, the provider answers a seeded FAIL share of the jobs `JOB_FAILED:` (without
running the module) and leaves a seeded HANG share unanswered, as a provider that hangs would: the step's
`timeout` then lets anyone expire the attempt. Every other job runs as usual.

A job's fate depends only on the seed and the job's identity, never on timing: the (workflow id, step
position, attempt) the registry routes it to (`IWorkflowRegistry.jobOf`), or the job id when the registry
does not know it. So a restarted provider decides exactly as the one it replaces, and a test can work out in advance
what happens to every attempt of every step.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import click

from tinyhops.errors import FaultSpecError

FAILURE_REASON = "injected fault"

JobKey = Callable[[int], tuple[int, ...]]  # job id -> the identity its fate is drawn for


class Fault(Enum):
    NONE = "none"  # run the job as usual
    FAIL = "fail"  # answer JOB_FAILED:<FAILURE_REASON> without running it
    HANG = "hang"  # never answer it


@dataclass(frozen=True)
class FaultPlan:
    """Which jobs fail or hang: a FAIL share and a HANG share of them, chosen by `seed`."""

    seed: int
    fail_rate: float
    hang_rate: float

    def __post_init__(self) -> None:
        for name, rate in (("fail rate", self.fail_rate), ("hang rate", self.hang_rate)):
            if not 0.0 <= rate <= 1.0:
                raise FaultSpecError(f"{name} {rate} is not between 0 and 1")
        if self.fail_rate + self.hang_rate > 1.0:
            raise FaultSpecError(f"fail rate {self.fail_rate} + hang rate {self.hang_rate} exceed 1")

    def decide(self, key: tuple[int, ...]) -> Fault:
        """The fate of the job identified by `key`: (workflow id, step position, attempt), or (job id,)."""
        roll = random.Random(f"tinyhops-faults:{self.seed}:{':'.join(map(str, key))}").random()
        if roll < self.fail_rate:
            return Fault.FAIL
        if roll < self.fail_rate + self.hang_rate:
            return Fault.HANG
        return Fault.NONE

    def __str__(self) -> str:
        return f"{self.seed}:{self.fail_rate:g}:{self.hang_rate:g}"


def parse(text: str) -> FaultPlan:
    """`SEED:FAIL_RATE:HANG_RATE`, such as `7:0.1:0.05` (an integer seed, two shares between 0 and 1)."""
    parts = text.split(":")
    if len(parts) != 3:
        raise FaultSpecError(f"{text!r} is not SEED:FAIL_RATE:HANG_RATE (such as 7:0.1:0.05)")
    try:
        seed = int(parts[0])
    except ValueError:
        raise FaultSpecError(f"seed {parts[0]!r} is not an integer") from None
    try:
        fail_rate, hang_rate = float(parts[1]), float(parts[2])
    except ValueError:
        raise FaultSpecError(f"rates {parts[1]!r} and {parts[2]!r} must be numbers between 0 and 1") from None
    return FaultPlan(seed, fail_rate, hang_rate)


class FaultPlanType(click.ParamType):
    """Click type for --faults."""

    name = "SEED:FAIL:HANG"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> FaultPlan:
        if isinstance(value, FaultPlan):
            return value
        try:
            return parse(str(value))
        except FaultSpecError as exc:
            self.fail(str(exc), param, ctx)


def registry_key(registry: Any) -> JobKey:
    """Key jobs by the (workflow id, step position, attempt) `registry` routes them to; a job it does not know
    (it reverts UnknownJob) by its job id. Any other error propagates: a guess would change the job's fate."""

    def key(job_id: int) -> tuple[int, ...]:
        from ape.exceptions import ContractLogicError

        try:
            return tuple(int(part) for part in registry.jobOf(job_id))
        except ContractLogicError:
            return (job_id,)

    return key
