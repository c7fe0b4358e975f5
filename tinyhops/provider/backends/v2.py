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
from tinyhops.provider.backends import AnnouncedJob
from tinyhops.provider.executor import JobOutcome
from tinyhops.provider.inputs import module_inputs

JOB_ADDED_TOPIC = "0x" + keccak(text="JobAdded(uint256,address,address,string,string[])").hex()
TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()


def deal_id(job_id: int) -> str:
    """The deal id the local stand-in posts: there is no solver deal, so the job's own id, named as such."""
    return f"local-deal-{job_id}"


def _topic_of(address: str) -> str:
    return "0x" + "00" * 12 + address.lower().removeprefix("0x")


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
        if job.client != self.registry.address or self.registry.jobInFlight(job.job_id):
            return None
        return "no longer in flight (answered, expired, or its workflow ended)"

    def deposit_of(self, job: AnnouncedJob) -> int | None:
        return int(self.job_creator.getRequiredDeposit(block_id=job.block))

    def deposit_taken(self, job: AnnouncedJob, amount: int, from_block: int) -> bool:
        head = int(self.web3.eth.block_number)
        if from_block > head:  # no block since the transfer was about to be sent: it never landed
            return False
        logs = self.web3.eth.get_logs(
            {
                "address": self.token.address,
                "fromBlock": from_block,
                "toBlock": head,
                "topics": [TRANSFER_TOPIC, _topic_of(job.payee), _topic_of(self.job_creator.getControllerAddress())],
            }
        )
        return any(int.from_bytes(bytes(log["data"]), "big") == amount for log in logs)

    def take_deposit(self, job: AnnouncedJob, amount: int, account: Any) -> None:
        self.token.transferFrom(job.payee, account.address, amount, sender=account)

    def post(self, job: AnnouncedJob, outcome: JobOutcome, options: dict[str, Any]) -> None:
        if not outcome.ok:
            raise ValueError("Lilypad v2 has no failure callback")  # the provider never asks for one
        self.job_creator.submitResults(job.job_id, deal_id(job.job_id), outcome.cid, **options)
