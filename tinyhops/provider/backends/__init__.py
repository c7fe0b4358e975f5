"""The Lilypad side of the provider, one class per backend the registry speaks (`Deployment.backend`).

`v1.LocalLilypadV1`: LocalLilypad's `JobCreated`, answered by `postResult`/`postFailure`, paid in ether by the
registry itself. `v2.LocalJobCreatorV2`: LocalLilypadV2's `JobAdded`, served as its controller (the off-chain
job-creator service's role): the deposit taken by `transferFrom`, inputs read as Lilypad's service reads them,
answered by `submitResults`, never a failure callback. `tinyhops.provider.service.Provider` runs the same loop
(cursor, retries, keeper duty) on either.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
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


@dataclass(frozen=True)
class Call:
    """One contract call the provider makes, as a transaction (`data`) or to learn why it reverted (`reason`):
    `method` is the Ape contract method, `args` its arguments."""

    to: str
    method: Any
    args: tuple[Any, ...]

    @cached_property
    def data(self) -> bytes:
        return bytes(self.method.encode_input(*self.args))

    def revert(self, sender: str, web3: Any) -> BaseException | str | None:
        """The revert `sender` would meet calling it now: the contract's custom error decoded (name and inputs,
        as Ape gives a transaction's), else the node's message; None when it would not revert."""
        call = {"from": sender, "to": self.to, "data": "0x" + self.data.hex()}
        response = web3.provider.make_request("eth_call", [call, "latest"])
        error = response.get("error")
        if not error:
            return None
        data = error.get("data")
        data = bytes.fromhex(data.removeprefix("0x")) if isinstance(data, str) else b""
        contract = self.method.contract
        errors = contract.contract_type.errors
        if len(data) >= 4 and data[:4] in errors:
            abi = errors[data[:4]]
            inputs = contract.provider.network.ecosystem.decode_calldata(abi, data[4:])
            return contract.get_error_by_signature(abi.signature)(abi, inputs, contract_address=self.to)
        return str(error.get("message") or error)


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

    def skip_call(self, job: AnnouncedJob) -> Call | None:
        """The view call `skip_reason` makes, for a batch of them; None when it makes none."""

    def skip_reason_from(self, job: AnnouncedJob, output: bytes) -> str | None:
        """`skip_reason` from the output of `skip_call(job)`."""

    def deposit_of(self, job: AnnouncedJob) -> int | None:
        """The deposit the provider takes before running `job` (v2), or None when it takes none (v1)."""

    def deposits_of(self, jobs: list[AnnouncedJob]) -> list[int] | None:
        """`deposit_of` each of `jobs`, in one batched request; None when none is taken (v1)."""

    def deposit_call(self, job: AnnouncedJob, amount: int, controller: str) -> Call:
        """The transfer that takes `job`'s deposit (v2); it reverts when the payee did not allow or hold it."""

    def answer_call(self, job: AnnouncedJob, outcome: JobOutcome) -> Call:
        """The transaction that answers `job` with `outcome`."""
