"""Keeper duty, done by the provider on every poll: `advance` workflows with queued work, `expire` attempts
older than their step's timeout.

A step's timeout is not in any view of the registry (`getStep` gives only `dispatchedAt`). It is read from
the workflow's definition instead: the registry keeps it as the code of a data contract whose address
`WorkflowSubmitted` announces, laid out as in contracts/libraries/WorkflowDefinition.sol (after the data
contract's STOP byte, one 32-byte header word per step: stepId u64 | cost u96 | timeout u32 | ...). Only
the first chunk's address is announced, so steps whose header lies beyond it (position 767 and up) are not
expired; neither is any workflow whose header does not match `getStep` (a layout this code does not know).
Both cases are logged once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from eth_abi import decode
from eth_utils import keccak, to_checksum_address

from tinyhops.client import StepStatus, WorkflowStatus

Log = Callable[[str], None]

MAX_DISPATCHES_PER_ADVANCE = 8
WORKFLOW_SUBMITTED = "WorkflowSubmitted(uint256,address,uint256,uint256,address)"
WORKFLOW_SUBMITTED_TOPIC = "0x" + keccak(text=WORKFLOW_SUBMITTED).hex()
HEADER_BYTES = 32
DATA_CONTRACT_PREFIX = 1  # the STOP byte in front of a data contract's bytes


def describe_revert(exc: BaseException) -> str:
    """A revert as one line: the custom error with its inputs as Ape decoded it, else the revert message."""
    name = getattr(exc, "name", None) if hasattr(exc, "abi") else None
    inputs = getattr(exc, "inputs", None)
    if name:
        args = ", ".join(f"{k}={v}" for k, v in (inputs or {}).items())
        return f"{name}({args})"
    message = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {message}"[:300]


def header_timeouts(code: bytes, step_count: int) -> tuple[dict[int, int], int]:
    """Nonzero timeouts by step position from a definition's first chunk, and how many headers it holds."""
    blob = bytes(code)[DATA_CONTRACT_PREFIX:]
    readable = min(step_count, len(blob) // HEADER_BYTES)
    timeouts = {}
    for index in range(readable):
        word = int.from_bytes(blob[index * HEADER_BYTES : (index + 1) * HEADER_BYTES], "big")
        if timeout := (word >> 64) & 0xFFFFFFFF:
            timeouts[index] = timeout
    return timeouts, readable


def header_step_id(code: bytes, index: int) -> int:
    start = DATA_CONTRACT_PREFIX + index * HEADER_BYTES
    return int.from_bytes(bytes(code)[start : start + HEADER_BYTES], "big") >> 192


class Keeper:
    """Advances and expires the registry's live workflows as `account`."""

    def __init__(self, registry: Any, account: Any, web3: Any, start_block: int, log: Log):
        self.registry = registry
        self.account = account
        self.web3 = web3
        self.start_block = start_block
        self.log = log
        self.known = 0  # workflows 1..known have been seen
        self.live: set[int] = set()
        self.timeouts: dict[int, dict[int, int]] = {}

    def tick(self) -> int:
        """One round over every live workflow; returns how many transactions were sent."""
        count = int(self.registry.workflowCount())
        self.live.update(range(self.known + 1, count + 1))
        self.known = count
        sent = 0
        for workflow_id in sorted(self.live):
            summary = self.registry.getWorkflow(workflow_id)
            status = WorkflowStatus(summary.status)
            if status.final:
                self.live.discard(workflow_id)
                self.timeouts.pop(workflow_id, None)
                continue
            if status is WorkflowStatus.RUNNING and summary.queuedCount > 0:
                sent += self._advance(workflow_id, int(summary.queuedCount))
            if summary.inFlightCount > 0:
                sent += self._expire_overdue(workflow_id, int(summary.stepCount))
        return sent

    def _advance(self, workflow_id: int, queued: int) -> int:
        try:
            self.registry.advance(workflow_id, MAX_DISPATCHES_PER_ADVANCE, sender=self.account)
        except Exception as exc:  # noqa: BLE001 - a failed keeper call is logged, never fatal
            self.log(f"keeper: advance({workflow_id}) failed: {describe_revert(exc)}")
            return 0
        self.log(f"keeper: advanced workflow {workflow_id} ({queued} queued)")
        return 1

    def _expire_overdue(self, workflow_id: int, step_count: int) -> int:
        timeouts = self._timeouts(workflow_id, step_count)
        if not timeouts:
            return 0
        now = max(int(self.web3.eth.get_block("latest")["timestamp"]), int(time.time()))
        sent = 0
        for index, timeout in timeouts.items():
            step = self.registry.getStep(workflow_id, index)
            if StepStatus(step.status) is not StepStatus.DISPATCHED or step.dispatchedAt + timeout > now:
                continue
            try:
                self.registry.expire(workflow_id, index, sender=self.account)
            except Exception as exc:  # noqa: BLE001 - e.g. the answer arrived meanwhile
                self.log(f"keeper: expire({workflow_id}, {index}) failed: {describe_revert(exc)}")
                continue
            self.log(
                f"keeper: expired workflow {workflow_id} step {step.stepId} attempt {step.attempts} "
                f"(job {step.jobId}, timeout {timeout}s)"
            )
            sent += 1
        return sent

    def _timeouts(self, workflow_id: int, step_count: int) -> dict[int, int]:
        if workflow_id not in self.timeouts:
            self.timeouts[workflow_id] = self._read_timeouts(workflow_id, step_count)
        return self.timeouts[workflow_id]

    def _read_timeouts(self, workflow_id: int, step_count: int) -> dict[int, int]:
        logs = self.web3.eth.get_logs(
            {
                "address": self.registry.address,
                "fromBlock": self.start_block,
                "toBlock": "latest",
                "topics": [WORKFLOW_SUBMITTED_TOPIC, "0x" + workflow_id.to_bytes(32, "big").hex()],
            }
        )
        if not logs:
            self.log(f"keeper: no WorkflowSubmitted for workflow {workflow_id}; its steps are not expired")
            return {}
        definition = to_checksum_address(decode(["uint256", "uint256", "address"], bytes(logs[0]["data"]))[2])
        code = bytes(self.web3.eth.get_code(definition))
        first = self.registry.getStep(workflow_id, 0)
        if len(code) < DATA_CONTRACT_PREFIX + HEADER_BYTES or header_step_id(code, 0) != first.stepId:
            self.log(f"keeper: workflow {workflow_id}: definition not readable; its steps are not expired")
            return {}
        timeouts, readable = header_timeouts(code, step_count)
        if readable < step_count:
            self.log(
                f"keeper: workflow {workflow_id}: timeouts of steps at positions {readable}.. are not "
                "readable (later definition chunks are not exposed by any view); those steps are not expired"
            )
        return timeouts
