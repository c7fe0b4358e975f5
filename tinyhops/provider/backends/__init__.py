"""The Lilypad side of the provider, one class per backend the registry speaks (`Deployment.backend`).

`v1.LocalLilypadV1`: LocalLilypad's `JobCreated`, answered by `postResult`/`postFailure`, paid in ether by the
registry itself. `v2.LocalJobCreatorV2`: LocalLilypadV2's `JobAdded`, served as its controller (the off-chain
job-creator service's role): the deposit taken by `transferFrom`, inputs read as Lilypad's service reads them,
answered by `submitResults`, never a failure callback. `tinyhops.provider.service.Provider` runs the same loop
(cursor, retries, keeper duty) on either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from tinyhops.provider.executor import JobOutcome


@dataclass(frozen=True)
class AnnouncedJob:
    """A job as its event announced it. `params` is what the module runs on (v1: the params; v2: built from
    the inputs by tinyhops.provider.inputs); v2 also has its raw `inputs`, the `payee` and the calling `client`."""

    job_id: int
    module: str
    params: str
    block: int
    inputs: tuple[str, ...] = ()
    payee: str = ""
    client: str = ""
    note: str = ""  # how the inputs were read, for the job's log line (v2)


class Backend(Protocol):
    """What the provider needs of a Lilypad backend."""

    address: str
    label: str  # for the ready line: "Lilypad 0x..." (v1), "Lilypad v2 job creator 0x... as its controller"
    topic: str  # the job event's topic
    reports_failures: bool  # v1 answers a failure; v2 has no failure callback

    def check_account(self, account: Any) -> None:
        """ProviderError unless `account` may answer this Lilypad's jobs."""

    def job_count(self) -> int:
        """Jobs issued so far (the highest id)."""

    def decode(self, log: Any) -> AnnouncedJob:
        """The job a raw event log announces."""

    def skip_reason(self, job: AnnouncedJob) -> str | None:
        """Why `job` needs no answer (answered already, say), or None."""

    def deposit_of(self, job: AnnouncedJob) -> int | None:
        """The deposit the provider takes before running `job` (v2), or None when it takes none (v1)."""

    def deposit_taken(self, job: AnnouncedJob, amount: int, from_block: int) -> bool:
        """Whether a transfer of `job`'s deposit to the provider landed in a block from `from_block` on."""

    def take_deposit(self, job: AnnouncedJob, amount: int, account: Any) -> None:
        """Take `job`'s deposit; raises (a revert) when the payee did not allow or hold it."""

    def post(self, job: AnnouncedJob, outcome: JobOutcome, options: dict[str, Any]) -> None:
        """Send `job`'s answer (`options`: sender, gas limit)."""
