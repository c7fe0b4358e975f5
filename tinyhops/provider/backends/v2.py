"""Lilypad v2's local job creator, LocalLilypadV2, served in the off-chain job-creator service's role, as its
controller: on each `JobAdded(id, calling_contract, payee, module, inputs)` (nothing indexed) take the job's
deposit from the payee (`token.transferFrom(payee, controller, deposit)`), run the module on the inputs as
Lilypad's service reads them (tinyhops.provider.inputs), post `submitResults(id, dealId, dataId)` with dataId
the result directory's UnixFS CID.

Where this differs from Lilypad's service, and why:
- The deposit taken is the job creator's `getRequiredDeposit()` at the job's block, which is exactly what a
  registry allowed for it (Lilypad's service takes its fixed 2 tokens whatever the deposit is set to).
- Lilypad v2 has no failure callback: a module that fails is logged (`FAILED ... left unanswered`) and never
  answered, so its step's timeout expires it (the keeper, or anyone, calls `expire`); retries follow as usual.
- A job of the deployment's registry that no longer counts (`jobInFlight` false: answered, expired, or its
  workflow ended) is neither charged nor answered. That is the "already answered" test that makes restarts safe
  (LocalLilypadV2, like Lilypad's contract, keeps no answered flag), and it charges no job that can no longer
  count: its allowance stays with the registry. A job of any other client is always charged and answered.
"""

from __future__ import annotations

from typing import Any

from eth_abi import decode
from eth_utils import keccak, to_checksum_address

from tinyhops.errors import ProviderError
from tinyhops.provider.backends import AnnouncedJob, Call
from tinyhops.provider.executor import JobOutcome
from tinyhops.provider.inputs import module_inputs
from tinyhops.provider.sender import rpc_batch

JOB_ADDED_TOPIC = "0x" + keccak(text="JobAdded(uint256,address,address,string,string[])").hex()


def deal_id(job_id: int) -> str:
    """The deal id the local stand-in posts: there is no solver deal, so the job's own id, named as such."""
    return f"local-deal-{job_id}"


class LocalJobCreatorV2:
    """Serves one LocalLilypadV2 (Ape contract instance) as its controller; `registry` is the deployment's
    LilypadV2Registry (Ape contract instance), `token` the job creator's token (Ape contract instance)."""

    topic = JOB_ADDED_TOPIC
    reports_failures = False

    def __init__(self, job_creator: Any, token: Any, registry: Any, web3: Any):
        self.job_creator = job_creator
        self.token = token
        self.registry = registry
        self.web3 = web3
        self.address = job_creator.address
        self.label = f"Lilypad v2 job creator {job_creator.address} as its controller"

    def check_account(self, account: Any) -> None:
        controller = self.job_creator.getControllerAddress()
        if controller != account.address:
            raise ProviderError(
                f"{account.address} is not the controller of the local job creator at {self.address} "
                f"(its controller is {controller}: pass that account with --account)"
            )

    def job_count(self) -> int:
        return int(self.job_creator.nextJobID())

    def decode(self, log: Any) -> AnnouncedJob:
        job_id, client, payee, module, inputs = decode(
            ["uint256", "address", "address", "string", "string[]"], bytes(log["data"])
        )
        call = module_inputs(module, inputs)
        return AnnouncedJob(
            job_id=int(job_id),
            module=call.module,
            params=call.params,
            block=int(log["blockNumber"]),
            inputs=tuple(inputs),
            payee=to_checksum_address(payee),
            client=to_checksum_address(client),
            note=call.note(),
        )

    def skip_reason(self, job: AnnouncedJob) -> str | None:
        call = self.skip_call(job)
        return None if call is None else self._skip(bool(self.registry.jobInFlight(job.job_id)))

    def skip_call(self, job: AnnouncedJob) -> Call | None:
        if job.client != self.registry.address:
            return None  # a job of any other client is always charged and answered
        return Call(self.registry.address, self.registry.jobInFlight, (job.job_id,))

    def skip_reason_from(self, job: AnnouncedJob, output: bytes) -> str | None:
        return self._skip(bool(decode(["bool"], output)[0]))

    @staticmethod
    def _skip(in_flight: bool) -> str | None:
        return None if in_flight else "no longer in flight (answered, expired, or its workflow ended)"

    def deposit_of(self, job: AnnouncedJob) -> int | None:
        return int(self.job_creator.getRequiredDeposit(block_id=job.block))

    def deposits_of(self, jobs: list[AnnouncedJob]) -> list[int] | None:
        """`deposit_of` each job, one batched request (one call for each block the jobs were announced in)."""
        blocks = sorted({job.block for job in jobs})
        call = {"to": self.address, "data": "0x" + bytes(self.job_creator.getRequiredDeposit.encode_input()).hex()}
        outputs = rpc_batch(self.web3, [("eth_call", [call, hex(block)]) for block in blocks])
        amounts = {block: int(output, 16) for block, output in zip(blocks, outputs, strict=True)}
        return [amounts[job.block] for job in jobs]

    def deposit_call(self, job: AnnouncedJob, amount: int, controller: str) -> Call:
        return Call(self.token.address, self.token.transferFrom, (job.payee, controller, amount))

    def answer_call(self, job: AnnouncedJob, outcome: JobOutcome) -> Call:
        if not outcome.ok:
            raise ValueError("Lilypad v2 has no failure callback")  # the provider never asks for one
        return Call(self.address, self.job_creator.submitResults, (job.job_id, deal_id(job.job_id), outcome.cid))
