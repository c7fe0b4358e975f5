"""Lilypad v1's local stand-in, LocalLilypad: `JobCreated(jobId indexed, client, module, params, payment)`,
answered by a registered provider with `postResult(jobId, cid)` or `postFailure(jobId, reason)`; each job
remembers whether it was answered (`getJob(id).answered`), which is what makes restarts safe."""

from __future__ import annotations

from typing import Any

from eth_abi import decode
from eth_utils import keccak

from tinyhops.errors import ProviderError
from tinyhops.provider.backends import AnnouncedJob, Call
from tinyhops.provider.executor import JobOutcome

JOB_CREATED_TOPIC = "0x" + keccak(text="JobCreated(uint256,address,string,string,uint256)").hex()


class LocalLilypadV1:
    """Serves one LocalLilypad (an Ape contract instance) as a registered provider."""

    topic = JOB_CREATED_TOPIC
    reports_failures = True

    def __init__(self, lilypad: Any):
        self.lilypad = lilypad
        self.address = lilypad.address
        self.label = f"Lilypad {lilypad.address}"

    def check_account(self, account: Any) -> None:
        if not self.lilypad.isProvider(account.address):
            raise ProviderError(
                f"{account.address} is not a registered provider of the local Lilypad at "
                f"{self.lilypad.address} (pass the registered account with --account)"
            )

    def job_count(self) -> int:
        return int(self.lilypad.jobCount())

    def decode(self, log: Any) -> AnnouncedJob:
        module, params, _payment = decode(["string", "string", "uint256"], bytes(log["data"]))
        return AnnouncedJob(int.from_bytes(bytes(log["topics"][1]), "big"), module, params, int(log["blockNumber"]))

    def skip_reason(self, job: AnnouncedJob) -> str | None:
        return "already answered" if self.lilypad.getJob(job.job_id).answered else None

    def skip_call(self, job: AnnouncedJob) -> Call:
        return Call(self.address, self.lilypad.getJob, (job.job_id,))

    def skip_reason_from(self, job: AnnouncedJob, output: bytes) -> str | None:
        _client, _payment, answered = decode(["address", "uint88", "bool"], output)  # ILocalLilypad.Job
        return "already answered" if answered else None

    def deposit_of(self, job: AnnouncedJob) -> int | None:
        return None  # the registry paid LocalLilypad with the job itself

    def deposits_of(self, jobs: list[AnnouncedJob]) -> list[int] | None:
        return None

    def deposit_call(self, job: AnnouncedJob, amount: int, controller: str) -> Call:
        raise NotImplementedError("v1 takes no deposit")

    def answer_call(self, job: AnnouncedJob, outcome: JobOutcome) -> Call:
        if outcome.ok:
            return Call(self.address, self.lilypad.postResult, (job.job_id, outcome.cid))
        return Call(self.address, self.lilypad.postFailure, (job.job_id, outcome.reason))
