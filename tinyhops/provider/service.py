"""The local resource provider: follows the local Lilypad's job events, runs each job, posts its answer. The
backend (tinyhops.provider.backends) is the deployment's: v1's LocalLilypad (`JobCreated`, answered as a
registered provider) or v2's LocalLilypadV2 (`JobAdded`, served as its controller: the deposit taken first).

Crash safety rests on two facts. The cursor (tinyhops.provider.cursor) is saved atomically, and only after a
job's answer is on-chain (or the job was found answered, or given up on). And before running a job the
provider asks whether it is already answered (v1: the Lilypad; v2: the registry, `jobInFlight`). So after a
crash at any point a restart either re-runs a job whose answer never landed (modules are deterministic and the
store is idempotent), or finds it answered and skips it: no job is skipped, none is answered twice. On v2 the
cursor also records a deposit transfer about to be sent, and a restart looks for it on-chain before sending
another: no deposit is taken twice.

A post that reverts is logged with its decoded reason and retried a bounded number of times, then given up
with a log line; any other error in a poll (the node went away, say) is retried after the interval, logged
in one short line when the first poll fails and one when polls succeed again, not once per retry. Every poll
also does keeper duty (tinyhops.chain.keeper). Use `serve` inside an Ape network context (`ape run provider`).
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from web3.exceptions import BlockNotFound

from tinyhops.chain import address_book
from tinyhops.chain.accounts import PROVIDER_TEST_ACCOUNT, signer
from tinyhops.chain.binding import bind
from tinyhops.chain.deploy import DELIVERY_GAS_LIMIT
from tinyhops.chain.keeper import Keeper, describe_revert
from tinyhops.errors import CursorUnreadable, ProviderError, one_line
from tinyhops.paths import state_dir
from tinyhops.provider.backends import AnnouncedJob, Backend
from tinyhops.provider.backends.v1 import LocalLilypadV1
from tinyhops.provider.backends.v2 import LocalJobCreatorV2
from tinyhops.provider.cursor import Cursor, cursor_path, load_cursor, save_cursor
from tinyhops.provider.executor import JobOutcome, execute
from tinyhops.provider.faults import FAILURE_REASON, Fault, FaultPlan, JobKey, registry_key
from tinyhops.provider.store import ContentStore

Log = Callable[[str], None]

MAX_POST_ATTEMPTS = 3
RETRY_DELAY_SECONDS = 1.0
LOG_PAGE_BLOCKS = 2_000  # blocks per eth_getLogs request
OUTAGE_REASON_CHARS = 100  # a failed poll's reason is cut to this in the log
READY = "provider ready"  # logged once the provider is following the chain; tests and benchmarks wait for it


class Abandoned(Exception):
    """Asked to stop while retrying a post: the job is left unanswered, and the cursor before it."""


def print_log(line: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {line}", flush=True)


class Provider:
    """Serves one local Lilypad (`lilypad`, a backend) as `account`; `run` loops until stopped, `poll` does one
    round."""

    def __init__(
        self,
        web3: Any,
        lilypad: Backend,
        account: Any,
        store: ContentStore,
        cursor_file: Path,
        start_block: int,
        keeper: Keeper | None = None,
        log: Log = print_log,
        retry_delay: float = RETRY_DELAY_SECONDS,
        faults: FaultPlan | None = None,
        fault_key: JobKey | None = None,
    ):
        self.web3 = web3
        self.lilypad = lilypad
        self.account = account
        self.store = store
        self.cursor_file = cursor_file
        self.start_block = start_block
        self.keeper = keeper
        self.log = log
        self.retry_delay = retry_delay
        self.faults = faults  # testing only (--faults): see tinyhops.provider.faults
        self.fault_key = fault_key
        self.stop = threading.Event()
        self.cursor = Cursor(lilypad.address, start_block, 0)
        self.jobs_handled = 0
        self.tip: tuple[int, bytes] | None = None  # (number, hash) of the last block scanned

    def start(self) -> None:
        """Check the account may post, and load the cursor (rescanning if it cannot be trusted)."""
        self.lilypad.check_account(self.account)
        # A cursor belongs to one Lilypad on one chain: a restarted dev chain redeploys to the same
        # addresses, but anvil stamps blocks with the wall clock, so the deployment block's hash differs.
        try:
            mark = bytes(self.web3.eth.get_block(self.start_block)["hash"]).hex()
        except BlockNotFound:
            mark = "missing"
        identity = f"{self.lilypad.address}@{mark}"
        try:
            self.cursor = load_cursor(self.cursor_file, identity, self.start_block)
        except CursorUnreadable as exc:
            self.log(f"{exc}; rescanning from block {self.start_block}")
            self.cursor = Cursor(identity, self.start_block, 0)
        head = int(self.web3.eth.block_number)
        if self.cursor.last_job > self.lilypad.job_count() or self.cursor.block > head + 1:
            self.log(f"cursor is ahead of the chain (reset?); rescanning from block {self.start_block}")
            self.cursor = Cursor(identity, self.start_block, 0)

    def run(self, poll_seconds: float = 1.0, once: bool = False) -> None:
        """Poll until stopped. Sleeps only after a poll that did nothing; with `once`, returns then."""
        with self._signals():
            self.log(  # only now: a signal from someone who waited for this line finds the handlers set
                f"{READY}: {self.account.address} serving {self.lilypad.label} from block "
                f"{self.cursor.block} (last job handled: {self.cursor.last_job or 'none'}), "
                f"store {self.store.root}" + (f"; INJECTING FAULTS {self.faults}" if self.faults else "")
            )
            failed_polls = 0  # in a row: one outage, logged once when it starts and once when it ends
            while not self.stop.is_set():
                try:
                    busy = self.poll()
                except Exception as exc:  # noqa: BLE001 - a failed poll is retried, never a crash loop
                    if once:
                        raise
                    if failed_polls == 0:
                        self.log(
                            f"poll failed: {one_line(describe_revert(exc), OUTAGE_REASON_CHARS)}; retrying every "
                            f"{poll_seconds}s, quietly until a poll succeeds"
                        )
                    failed_polls += 1
                    busy = 0
                else:
                    if failed_polls:
                        self.log(f"polls succeed again, after {failed_polls} failed")
                    failed_polls = 0
                if busy == 0:
                    if once:
                        break
                    self.stop.wait(poll_seconds)
        self.log(f"provider stopped after {self.jobs_handled} job(s); cursor at job {self.cursor.last_job}")

    def poll(self) -> int:
        """Handle every new job, then do keeper duty; returns the number of jobs and keeper transactions."""
        done = self._handle_new_jobs()
        if self.keeper is not None and not self.stop.is_set():
            done += self.keeper.tick()
        return done

    def pending_jobs(self, head: int) -> Iterator[AnnouncedJob]:
        """Jobs announced from the cursor's block to `head` that the cursor has not passed, in order."""
        for first in range(self.cursor.block, head + 1, LOG_PAGE_BLOCKS):
            logs = self.web3.eth.get_logs(
                {
                    "address": self.lilypad.address,
                    "fromBlock": first,
                    "toBlock": min(first + LOG_PAGE_BLOCKS - 1, head),
                    "topics": [self.lilypad.topic],
                }
            )
            jobs = sorted((self.lilypad.decode(log) for log in logs), key=lambda job: job.job_id)
            yield from (job for job in jobs if job.job_id > self.cursor.last_job)

    def _handle_new_jobs(self) -> int:
        latest = self.web3.eth.get_block("latest")
        head = int(latest["number"])
        self._check_tip()
        handled = 0
        for job in self.pending_jobs(head):
            if self.stop.is_set():
                return handled
            try:
                self.handle(job)
            except Abandoned:
                self.log(f"job {job.job_id} {job.module}: abandoned on stop; the next run retries it")
                return handled
            self._save(Cursor(self.cursor.lilypad, job.block, job.job_id))
            handled += 1
        if head + 1 > self.cursor.block:
            self._save(replace(self.cursor, block=head + 1))
        self.tip = (head, bytes(latest["hash"]))
        return handled

    def _check_tip(self) -> None:
        """If the chain lost the last block scanned (a node restarted from an older state, or a reorg), jobs
        below the cursor may be unanswered again and job ids be issued anew: rescan from the deployment block
        (answered jobs are skipped) and let the keeper forget the workflows it had seen."""
        if self.tip is None:
            return
        number, digest = self.tip
        try:
            current = bytes(self.web3.eth.get_block(number)["hash"])
        except BlockNotFound:
            current = None
        if current == digest:
            return
        self.log(f"the chain lost block {number} (restarted from older state?); rescanning from {self.start_block}")
        self.tip = None
        self._save(Cursor(self.cursor.lilypad, self.start_block, 0))
        if self.keeper is not None:
            self.keeper.forget()

    def handle(self, job: AnnouncedJob) -> None:
        """Answer `job` unless it is answered already; one log line says how it went."""
        self.jobs_handled += 1
        skip = self.lilypad.skip_reason(job)
        if skip is not None:
            self.log(f"job {job.job_id} {job.module}: {skip}, skipped")
            return
        if not self._take_deposit(job):
            return
        fault = self._fault(job)
        if fault is Fault.HANG:
            self.log(f"job {job.job_id} {job.module}: injected fault: left unanswered")
            return
        if fault is Fault.FAIL:
            outcome = JobOutcome(ok=False, cid=None, reason=FAILURE_REASON, seconds=0.0)
        else:
            outcome = execute(job.module, job.params, self.store)
        if not outcome.ok and not self.lilypad.reports_failures:
            self.log(
                f"job {job.job_id} {job.module} ran {outcome.seconds:.3f}s FAILED: {outcome.reason}{job.note}; "
                "Lilypad v2 has no failure callback: left unanswered, its step's timeout expires it"
            )
            return
        started = time.perf_counter()
        posted = self._post(job, outcome)
        if posted is None:
            return
        took = f"ran {outcome.seconds:.3f}s, posted {time.perf_counter() - started:.3f}s"
        result = f"-> {outcome.cid}" if outcome.ok else f"FAILED: {outcome.reason}"
        self.log(f"job {job.job_id} {job.module} {took} {result}{posted}{job.note}")

    def _take_deposit(self, job: AnnouncedJob) -> bool:
        """v2: take the job's deposit from its payee, exactly once across restarts; False when it cannot be
        taken (the payee did not allow or hold it): the job is then not run. v1: nothing to take."""
        amount = self.lilypad.deposit_of(job)
        if amount is None:
            return True
        if self.cursor.deposit_job == job.job_id and self.lilypad.deposit_taken(job, amount, self.cursor.deposit_from):
            return True  # taken by the run before a restart
        # Recorded first: the transfer can only land in a later block than the latest one now.
        self._save(replace(self.cursor, deposit_job=job.job_id, deposit_from=int(self.web3.eth.block_number) + 1))
        try:
            self.lilypad.take_deposit(job, amount, self.account)
        except Exception as exc:  # noqa: BLE001 - decided below: revert or not
            if not _is_revert(exc):
                raise
            self.log(
                f"job {job.job_id} {job.module}: deposit of {amount} token units not taken from {job.payee} "
                f"({describe_revert(exc)}): not run"
            )
            return False
        return True

    def _fault(self, job: AnnouncedJob) -> Fault:
        if self.faults is None:
            return Fault.NONE
        return self.faults.decide(self.fault_key(job.job_id) if self.fault_key else (job.job_id,))

    def _post(self, job: AnnouncedJob, outcome: JobOutcome) -> str | None:
        """Send the answer; a suffix for the log line, or None when the job was given up on."""
        reason = ""
        for attempt in range(1, MAX_POST_ATTEMPTS + 1):
            try:
                # A fixed limit, not an estimate: with too little gas the registry records the answer but
                # leaves the dispatches it made due for `advance` (an estimate would find that path).
                self.lilypad.post(job, outcome, {"sender": self.account, "gas_limit": DELIVERY_GAS_LIMIT})
                return "" if attempt == 1 else f" (attempt {attempt})"
            except Exception as exc:  # noqa: BLE001 - decided below: revert or not
                if not _is_revert(exc):
                    raise
                reason = describe_revert(exc)
            if self.lilypad.skip_reason(job) is not None:
                return f" (answered by someone else meanwhile: {reason})"
            self.log(f"job {job.job_id} {job.module}: post reverted (attempt {attempt}/{MAX_POST_ATTEMPTS}): {reason}")
            if attempt < MAX_POST_ATTEMPTS and self.stop.wait(self.retry_delay * attempt):
                raise Abandoned
        self.log(f"job {job.job_id} {job.module}: GAVE UP, not answered; last revert: {reason}")
        return None

    def _save(self, cursor: Cursor) -> None:
        save_cursor(self.cursor_file, cursor)
        self.cursor = cursor

    @contextmanager
    def _signals(self) -> Iterator[None]:
        """SIGINT/SIGTERM: the first finishes the current job and stops; a second abandons it at once
        (the cursor on disk is still whole: it is only ever replaced atomically)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def stop(signum: int, _frame: Any) -> None:
            if self.stop.is_set():
                raise KeyboardInterrupt
            self.log(f"{signal.Signals(signum).name}: stopping after the current job")
            self.stop.set()

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _is_revert(exc: BaseException) -> bool:
    from ape.exceptions import ContractLogicError, TransactionError

    return isinstance(exc, ContractLogicError | TransactionError)


def quiet_ape_logs() -> None:
    """Drop Ape's INFO lines ("Confirmed 0x..." for every transaction) unless `-v DEBUG` asked for more."""
    from ape.logging import LogLevel, logger

    if logger.level == LogLevel.INFO:
        logger.set_level(LogLevel.WARNING)


def local_backend(project: Any, deployment: address_book.Deployment, web3: Any) -> Backend:
    """The deployment's local Lilypad, as the backend its registry speaks."""
    if deployment.backend == "v2":
        job_creator = bind(project.LocalLilypadV2, deployment.lilypad)
        token = bind(project.LocalLilypadToken, job_creator.getTokenAddress())
        return LocalJobCreatorV2(job_creator, token, bind(project.LilypadV2Registry, deployment.registry), web3)
    return LocalLilypadV1(bind(project.LocalLilypad, deployment.lilypad))


def serve(
    project: Any, chain: Any, account: str | None, poll_seconds: float, once: bool, faults: FaultPlan | None = None
) -> int:
    """`ape run provider`: serve the connected chain's deployment (either backend) until stopped; returns jobs
    handled.
    `faults` (testing only) makes it fail or ignore a seeded share of the jobs: see tinyhops.provider.faults."""
    deployment = address_book.load(chain.chain_id, code_at=chain.provider.get_code)
    if not deployment.local_lilypad:
        raise ProviderError("the provider serves only the local Lilypad stand-in")
    sender = signer(account, True, PROVIDER_TEST_ACCOUNT)
    web3 = chain.provider.web3
    registry = bind(project.WorkflowRegistry, deployment.registry)
    provider = Provider(
        web3=web3,
        lilypad=local_backend(project, deployment, web3),
        account=sender,
        store=ContentStore(state_dir() / "store"),
        cursor_file=cursor_path(chain.chain_id),
        start_block=deployment.block,
        keeper=Keeper(registry, sender, web3, print_log),
        faults=faults,
        fault_key=registry_key(registry) if faults else None,
    )
    provider.start()
    try:
        provider.run(poll_seconds, once)
    except KeyboardInterrupt:
        print_log("interrupted: current job abandoned (a restart resumes it)")
        sys.exit(130)
    return provider.jobs_handled
