"""The local resource provider: follows the local Lilypad's job events, runs each job, posts its answer. The
backend (tinyhops.provider.backends) is the deployment's: v1's LocalLilypad (`JobCreated`, answered as a
registered provider) or v2's LocalLilypadV2 (`JobAdded`, served as its controller: the deposit taken first).

Jobs are handled in batches (the jobs announced since the last poll, up to MAX_BATCH): one batched request asks
which need an answer, their deposits (v2) are sent together and confirmed together, the modules run, then their
answers are sent together and confirmed together. Transactions are signed here and sent without waiting for each
receipt (tinyhops.provider.sender); an idle provider waits for the next block rather than sleeping.

Crash safety rests on two facts. The cursor (tinyhops.provider.cursor) is saved atomically, and only after the
answers of every job it passes are on-chain (or the jobs were found answered, or given up on). And before
running a job the provider asks whether it is already answered (v1: the Lilypad; v2: the registry,
`jobInFlight`). So after a crash at any point (an answer sent but its receipt not yet read included) a restart
either re-runs a job whose answer never landed (modules are deterministic and the store is idempotent), or finds
it answered and skips it: no job is skipped, none is answered twice. On v2 the cursor also records each deposit
transfer, signed, before it is sent, and a restart settles a recorded job by that transaction (its receipt, or
sending it again: one nonce lands once) before sending another: no deposit is taken twice.

A post that reverts is logged with its decoded reason and retried (one at a time, each confirmed) a bounded
number of times, then given up with a log line; any other error in a poll (the node went away, say) is retried
after the interval, logged in one short line when the first poll fails and one when polls succeed again, not
once per retry. Every poll also does keeper duty (tinyhops.chain.keeper). Use `serve` inside an Ape network
context (`ape run provider`).
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
from tinyhops.chain.keeper import DEFAULT_MODE, Keeper, describe_revert
from tinyhops.errors import CursorUnreadable, ProviderError, one_line
from tinyhops.paths import state_dir
from tinyhops.provider.backends import AnnouncedJob, Backend, Call
from tinyhops.provider.backends.v1 import LocalLilypadV1
from tinyhops.provider.backends.v2 import LocalJobCreatorV2
from tinyhops.provider.cursor import Cursor, cursor_path, load_cursor, save_cursor
from tinyhops.provider.executor import JobOutcome, execute
from tinyhops.provider.faults import FAILURE_REASON, Fault, FaultPlan, JobKey, registry_key
from tinyhops.provider.sender import REFUSED, Heads, Sender, Sent, rpc_batch, status_of, transaction_hash
from tinyhops.provider.store import ContentStore

Log = Callable[[str], None]

MAX_POST_ATTEMPTS = 3
MAX_BATCH = 64  # jobs handled together: one request asks which need answers, their transactions go out together
DEPOSIT_GAS_LIMIT = 150_000  # an ERC-20 transferFrom (OpenZeppelin's costs about 35,000 to 60,000)
HEAD_WAIT_SLICE_SECONDS = 0.25  # how often an idle provider waiting for a block looks at its stop flag
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
        self.sender = Sender(web3, account)
        self.heads: Heads | None = None  # followed while `run` runs

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
        self.heads = Heads(getattr(self.web3.provider, "endpoint_uri", None))
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
                    self._idle(poll_seconds)
        self.heads.close()
        self.log(f"provider stopped after {self.jobs_handled} job(s); cursor at job {self.cursor.last_job}")

    def _idle(self, seconds: float) -> None:
        """Wait for the next block (up to `seconds`: the keeper's expiries follow the clock too), or for `seconds`
        when the node announces no blocks; either way, not past a stop."""
        if self.heads is None or not self.heads.following:
            self.stop.wait(seconds)
            return
        deadline = time.monotonic() + seconds
        while not self.stop.is_set() and (left := deadline - time.monotonic()) > 0:
            if self.heads.wait(min(left, HEAD_WAIT_SLICE_SECONDS)):
                return

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
        jobs = list(self.pending_jobs(head))
        handled = 0
        for first in range(0, len(jobs), MAX_BATCH):
            if self.stop.is_set():
                return handled
            batch = jobs[first : first + MAX_BATCH]
            done = self.handle_batch(batch)
            handled += done
            if done < len(batch):
                return handled
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

    def handle_batch(self, jobs: list[AnnouncedJob]) -> int:
        """Answer each of `jobs` (in job order) unless it is answered already, then move the cursor past them:
        one batched request asks which need an answer; their deposits (v2) are sent together and confirmed
        together, then their answers. One log line per job says how it went. Returns how many were handled: fewer
        than all when asked to stop while retrying a post (the cursor stays before that job)."""
        self.sender.sync()
        live = []
        for job, skip in zip(jobs, self._skip_reasons(jobs), strict=True):
            self.jobs_handled += 1
            if skip is None:
                live.append(job)
            else:
                self.log(f"job {job.job_id} {job.module}: {skip}, skipped")
        answers: list[tuple[AnnouncedJob, JobOutcome]] = []
        for job in self._take_deposits(live):
            fault = self._fault(job)
            if fault is Fault.HANG:
                self.log(f"job {job.job_id} {job.module}: injected fault: left unanswered")
                continue
            if fault is Fault.FAIL:
                outcome = JobOutcome(ok=False, cid=None, reason=FAILURE_REASON, seconds=0.0)
            else:
                outcome = execute(job.module, job.params, self.store)
            if not outcome.ok and not self.lilypad.reports_failures:
                self.log(
                    f"job {job.job_id} {job.module} ran {outcome.seconds:.3f}s FAILED: {outcome.reason}{job.note}; "
                    "Lilypad v2 has no failure callback: left unanswered, its step's timeout expires it"
                )
                continue
            answers.append((job, outcome))
        abandoned = self._post_all(answers)
        done = [job for job in jobs if abandoned is None or job.job_id < abandoned.job_id]
        if done:
            last = done[-1]
            kept = tuple(entry for entry in self.cursor.deposits if entry[0] > last.job_id)
            self._save(Cursor(self.cursor.lilypad, last.block, last.job_id, kept))
        return len(done)

    def _skip_reasons(self, jobs: list[AnnouncedJob]) -> list[str | None]:
        """`skip_reason` of each job, in one batched request."""
        calls = [self.lilypad.skip_call(job) for job in jobs]
        asked = [call for call in calls if call is not None]
        outputs = iter(self._call_all(asked))
        return [
            None if call is None else self.lilypad.skip_reason_from(job, next(outputs))
            for job, call in zip(jobs, calls, strict=True)
        ]

    def _call_all(self, calls: list[Call]) -> list[bytes]:
        if not calls:
            return []
        requests = [("eth_call", [{"to": call.to, "data": "0x" + call.data.hex()}, "latest"]) for call in calls]
        return [bytes.fromhex(output.removeprefix("0x")) for output in rpc_batch(self.web3, requests)]

    def _take_deposits(self, jobs: list[AnnouncedJob]) -> list[AnnouncedJob]:
        """v2: take each job's deposit from its payee, exactly once across restarts; returns the jobs whose deposit
        is taken (a job whose deposit cannot be taken, the payee having not allowed or not holding it, is logged
        and not run). v1: nothing to take, every job.

        Each transfer is signed and recorded in the cursor before any is sent. A job the cursor already records
        (the run before a restart got that far) is settled by that very transaction: its receipt, or sending it
        again (the node refuses it if its nonce went to another transaction, and then it can never land)."""
        amounts = self.lilypad.deposits_of(jobs) if jobs else None
        if amounts is None:
            return jobs
        taken: set[int] = set()
        fresh: list[tuple[AnnouncedJob, Call, Sent]] = []
        for job, amount in zip(jobs, amounts, strict=True):
            call = self.lilypad.deposit_call(job, amount, self.account.address)
            recorded = self.cursor.deposit_of(job.job_id)
            if recorded is not None and self._recorded_transfer_landed(recorded):
                taken.add(job.job_id)  # taken by the run before a restart
                continue
            fresh.append((job, call, self.sender.sign(call.to, call.data, DEPOSIT_GAS_LIMIT)))
        if fresh:
            recorded = {job.job_id: sent.raw.hex() for job, _call, sent in fresh}
            kept = tuple((j, raw) for j, raw in self.cursor.deposits if j not in recorded)
            self._save(replace(self.cursor, deposits=kept + tuple(recorded.items())))
            for _job, _call, sent in fresh:
                self.sender.broadcast(sent)
            receipts = self.sender.receipts([sent.hash for _job, _call, sent in fresh], self.heads)
            for job, call, sent in fresh:
                if status_of(receipts[sent.hash]) == 1:
                    taken.add(job.job_id)
                    continue
                self.log(
                    f"job {job.job_id} {job.module}: deposit of {call.args[2]} token units not taken from {job.payee} "
                    f"({self._revert_reason(call)}): not run"
                )
        return [job for job in jobs if job.job_id in taken]

    def _recorded_transfer_landed(self, raw: bytes) -> bool:
        """Whether the signed transaction `raw` (recorded before a restart) landed and succeeded; sent again
        first if the node has no receipt for it (refused when its nonce went to another: it never lands)."""
        digest = transaction_hash(raw)
        if self.sender.fetch_receipts([digest])[0] is None:
            try:
                self.web3.eth.send_raw_transaction(raw)
            except REFUSED:
                if self.sender.fetch_receipts([digest])[0] is None:
                    return False  # its nonce was used by another transaction
            self.sender.sync()
        receipt = self.sender.receipts([digest], self.heads)[digest]
        return status_of(receipt) == 1

    def _fault(self, job: AnnouncedJob) -> Fault:
        if self.faults is None:
            return Fault.NONE
        return self.faults.decide(self.fault_key(job.job_id) if self.fault_key else (job.job_id,))

    def _post_all(self, answers: list[tuple[AnnouncedJob, JobOutcome]]) -> AnnouncedJob | None:
        """Send every answer, then confirm them all; an answer that reverted is retried as `_post_again` says.
        Returns the job abandoned on stop, if any (the answers before it are all settled)."""
        if not answers:
            return None
        started = time.perf_counter()
        # A fixed limit, not an estimate: with too little gas the registry records the answer but leaves the
        # dispatches it made due for `advance` (an estimate would find that path). DELIVERY_GAS_LIMIT covers
        # MAX_DISPATCH_PER_DELIVERY dispatches.
        calls = [self.lilypad.answer_call(job, outcome) for job, outcome in answers]
        sent = [self.sender.send(call.to, call.data, DELIVERY_GAS_LIMIT) for call in calls]
        receipts = self.sender.receipts([s.hash for s in sent], self.heads)
        share = (time.perf_counter() - started) / len(answers)  # each answer's share of the batch's posting time
        for (job, outcome), call, transaction in zip(answers, calls, sent, strict=True):
            posting = time.perf_counter()
            if status_of(receipts[transaction.hash]) == 1:
                suffix: str | None = ""
            else:
                try:
                    suffix = self._post_again(job, call, self._revert_reason(call))
                except Abandoned:
                    self.log(f"job {job.job_id} {job.module}: abandoned on stop; the next run retries it")
                    return job
            if suffix is None:
                continue
            took = f"ran {outcome.seconds:.3f}s, posted {share + time.perf_counter() - posting:.3f}s"
            result = f"-> {outcome.cid}" if outcome.ok else f"FAILED: {outcome.reason}"
            self.log(f"job {job.job_id} {job.module} {took} {result}{suffix}{job.note}")
        return None

    def _post_again(self, job: AnnouncedJob, call: Call, reason: str) -> str | None:
        """The first post of `job` reverted with `reason`: unless someone else answered it meanwhile, log it and
        send it again (one at a time now, each confirmed), a bounded number of times; a suffix for the log
        line, or None when the job was given up on."""
        for attempt in range(1, MAX_POST_ATTEMPTS + 1):
            if attempt > 1:
                sent = self.sender.send(call.to, call.data, DELIVERY_GAS_LIMIT)
                if status_of(self.sender.receipts([sent.hash], self.heads)[sent.hash]) == 1:
                    return f" (attempt {attempt})"
                reason = self._revert_reason(call)
            if self.lilypad.skip_reason(job) is not None:
                return f" (answered by someone else meanwhile: {reason})"
            self.log(f"job {job.job_id} {job.module}: post reverted (attempt {attempt}/{MAX_POST_ATTEMPTS}): {reason}")
            if attempt < MAX_POST_ATTEMPTS and self.stop.wait(self.retry_delay * attempt):
                raise Abandoned
        self.log(f"job {job.job_id} {job.module}: GAVE UP, not answered; last revert: {reason}")
        return None

    def _revert_reason(self, call: Call) -> str:
        """Why a transaction of `call` reverted, decoded: the same call made now, as the provider."""
        revert = call.revert(self.account.address, self.web3)
        if revert is None:
            return "reverted on-chain (the same call now succeeds)"
        return revert if isinstance(revert, str) else describe_revert(revert)

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
        keeper=Keeper(registry, sender, web3, print_log, DEFAULT_MODE),  # runner-mode workflows: the runner's
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
