"""The index's and the dashboard's targets, measured on a fresh anvil: the indexer's catch-up of 10,000 events,
the workflow page of a 200-step workflow in headless Chromium, and a result's way from its block to the page.

- Catch-up: workflows are run by answering their jobs as the local Lilypad's provider account, answers signed
  here and sent in JSON-RPC batches (no provider process, no Ape on the way), until the deployment has logged
  at least `events` events; then a fresh index is timed from the deployment's block to the head
  (`Follower.sync`, as `tiny-hops index --once` runs it, without the process start).
- Page: `tiny-hops ui` (a separate process) serves a 1-198-1 fan-out; the time is the page's own
  `data-ready` mark: milliseconds from navigation start to the frame after the first state was laid out by
  dagre and painted (tinyhops/ui/static/workflow.js).
- Result: with the page of a running chain workflow open, one answer is sent with mining paused; the time runs
  from the moment just before the block that records it is mined (`evm_mine`; a block's own timestamp has
  whole seconds only) to the moment the step's node in the page took the status `completed` (a
  MutationObserver in the page, on the same clock: `performance.timeOrigin + performance.now()`).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import requests
from eth_account import Account

from tinyhops import spec
from tinyhops.chain import address_book, devchain
from tinyhops.chain.accounts import PROVIDER_TEST_ACCOUNT
from tinyhops.chain.address_book import Deployment
from tinyhops.chain.connection import tinyhops_project
from tinyhops.errors import TinyHopsError
from tinyhops.index import store
from tinyhops.index.follower import Follower
from tinyhops.index.rpc import Rpc
from tinyhops.testing import shapes
from tinyhops.testing.reliability.rawchain import Chain
from tinyhops.testing.reliability.stack import Stack, deploy_stack
from tinyhops.ui.actions import TEST_MNEMONIC

CHROMIUM = "/usr/bin/chromium"
RESULT_CID = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
EVENTS = 10_000
FAN_OUT_WIDTH = 98  # 1 + 98 + 1 = 100 steps a workflow while events are made
PAGE_WIDTH = 198  # 1 + 198 + 1 = 200 steps on the page
PAGE_RUNS = 5
RESULT_RUNS = 5
WAIT_MS = 60_000
ANSWER_GAS = 3_000_000  # an answer dispatches at most two steps
TARGETS = {"page": 1.0, "result": 1.0, "catch_up": 10.0}


class BenchError(TinyHopsError):
    """The benchmark could not run."""


@dataclass(frozen=True)
class Figures:
    events: int
    workflows: int
    blocks: int
    catch_up_seconds: float
    page_seconds: list[float]
    result_seconds: list[float]

    @property
    def events_per_second(self) -> float:
        return self.events / self.catch_up_seconds if self.catch_up_seconds else 0.0


class Driver:
    """Workflows submitted as the user and run by answering every job as the provider, in batches."""

    def __init__(self, chain: Chain, stack: Stack, user_key: str, provider_key: str):
        self.chain, self.stack = chain, stack
        self.rpc = Rpc(chain.url)
        self.user_key, self.provider_key = user_key, provider_key
        self.provider = Account.from_key(provider_key).address
        self.seen_block = stack.block
        self.answered: set[int] = set()

    def logged_events(self) -> int:
        addresses = [self.stack.registry.address, self.stack.lilypad.address]
        logs = self.rpc.logs(addresses, self.stack.block, self.chain.block_number())
        return len(logs)

    def new_jobs(self) -> list[int]:
        """Jobs dispatched since the last look and not yet answered."""
        head = self.chain.block_number()
        dispatched = self.stack.registry.events(self.chain.logs(self.stack.registry.address, self.seen_block, head),
                                                "StepDispatched")
        self.seen_block = head + 1
        return [int(e.jobId) for e in dispatched if int(e.jobId) not in self.answered]

    def answer(self, jobs: list[int]) -> float:
        """Every job in `jobs` answered with RESULT_CID: signed here, sent in one batch with mining paused, then
        mined (`evm_mine` until every receipt is in: a block takes what its gas limit has room for). Returns
        the moment (epoch seconds) just before the first of those blocks was mined."""
        nonce = self.chain.nonce(self.provider)
        price = 2 * int(self.rpc.request("eth_gasPrice", []), 16)
        calls = []
        for offset, job in enumerate(jobs):
            fields = {
                "nonce": nonce + offset, "gasPrice": price, "gas": ANSWER_GAS, "value": 0,
                "chainId": self.chain.chain_id, "to": self.stack.lilypad.address,
                "data": self.stack.lilypad.calldata("postResult", job, RESULT_CID),
            }
            signed = Account.sign_transaction(fields, self.provider_key)
            calls.append(("eth_sendRawTransaction", ["0x" + signed.raw_transaction.hex()]))
        self.rpc.request("evm_setAutomine", [False])
        try:
            hashes = self.rpc.batch(calls)
            mining = time.time()
            receipts: list[Any] = [None]
            for _ in range(len(jobs)):
                self.rpc.request("evm_mine", [])
                receipts = self.rpc.batch([("eth_getTransactionReceipt", [h]) for h in hashes])
                if all(r is not None for r in receipts):
                    break
        finally:
            self.rpc.request("evm_setAutomine", [True])
        for job, receipt in zip(jobs, receipts, strict=True):
            if receipt is None or int(receipt["status"], 16) != 1:
                raise BenchError(f"the answer to job {job} was not mined, or reverted: {receipt}")
        self.answered.update(jobs)
        return mining

    def run_until(self, events: int) -> int:
        """Submit 100-step fan-outs and run them until the deployment has logged `events`; workflows made."""
        workflow = spec.load(shapes.fan_out(FAN_OUT_WIDTH))
        made = 0
        while self.logged_events() < events:
            for _ in range(10):
                self.stack.submit(self.user_key, workflow)
                made += 1
            while jobs := self.new_jobs():
                self.answer(jobs)
        return made


def time_catch_up(url: str, deployment: Deployment, folder: Path) -> tuple[float, int]:
    """Seconds a fresh index takes from the deployment's block to the head, and the events it stored."""
    follower = Follower(Rpc(url), store.open_index(folder / "catch-up.sqlite"), deployment)
    started = time.perf_counter()
    report = follower.sync()
    return time.perf_counter() - started, report.events


@contextmanager
def dashboard(url: str, home: Path) -> Iterator[str]:
    """`tiny-hops ui` on a free port, with `home` as its state directory (and address book)."""
    port = devchain.free_port()
    env = {"TINYHOPS_HOME": str(home), "TINYHOPS_DEPLOYMENTS": str(home / "deployments.json")}
    child = subprocess.Popen(
        [str(Path(sys.executable).parent / "tiny-hops"), "ui", "--rpc", url, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **env}, cwd=home,
    )
    address = f"http://127.0.0.1:{port}"
    try:
        line = child.stdout.readline() if child.stdout else ""
        if not line.startswith(f"dashboard at {address}/"):
            raise BenchError(f"tiny-hops ui did not start: {line}{child.stderr.read() if child.stderr else ''}")
        for _ in range(600):
            try:
                requests.get(address, timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        yield address
    finally:
        child.terminate()
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()


def page_seconds(browser: Any, address: str, workflow_id: int, steps: int) -> float:
    """One load of the workflow page, to its `data-ready` mark; checks that every step was drawn."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{address}/workflows/{workflow_id}")
        page.wait_for_function("document.body.dataset.ready !== undefined", timeout=WAIT_MS)
        drawn = page.eval_on_selector_all("#dag g.node[data-status]", "ns => ns.length")
        if drawn != steps:
            raise BenchError(f"the page drew {drawn} of {steps} steps")
        return float(page.evaluate("Number(document.body.dataset.ready)")) / 1000
    finally:
        page.close()


WATCH = """index => { window.colouredAt = new Promise(resolve => {
  const node = document.querySelector(`#dag g.node[data-index='${index}']`);
  new MutationObserver((_, observer) => {
    if (node.dataset.status !== 'completed') return;
    observer.disconnect();
    resolve(performance.timeOrigin + performance.now());
  }).observe(node, { attributes: true, attributeFilter: ['data-status'] });
}); }"""


def result_seconds(browser: Any, driver: Driver, address: str, runs: int) -> list[float]:
    """Answer the steps of a running chain one by one, each timed from mined to coloured in the open page."""
    workflow_id, _ = driver.stack.submit(driver.user_key, spec.load(shapes.chain(runs + 1)))
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    found = []
    try:
        page.goto(f"{address}/workflows/{workflow_id}")
        page.wait_for_function("document.body.dataset.ready !== undefined", timeout=WAIT_MS)
        for index in range(runs):
            page.wait_for_function(
                f"document.querySelector(\"#dag g.node[data-index='{index}']\").dataset.status === 'dispatched'",
                timeout=WAIT_MS,
            )
            page.evaluate(WATCH, index)
            (job,) = driver.new_jobs()
            mined = driver.answer([job]) * 1000  # from just before its block was mined
            found.append((float(page.evaluate("window.colouredAt")) - mined) / 1000)
    finally:
        page.close()
    return found


def local_keys(count: int) -> list[str]:
    """The private keys of anvil's (and Ape's) test accounts."""
    Account.enable_unaudited_hdwallet_features()
    return [
        "0x" + Account.from_mnemonic(TEST_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}").key.hex()
        for i in range(count)
    ]


def run(events: int = EVENTS) -> Figures:
    """Start an anvil of its own, deploy fresh contracts, make `events` events, and measure all three."""
    from playwright.sync_api import sync_playwright

    keys = local_keys(PROVIDER_TEST_ACCOUNT + 1)
    with tempfile.TemporaryDirectory(prefix="bench-ui-") as scratch:
        home = Path(scratch)
        port = devchain.free_port()
        anvil = devchain.start(port, home / "anvil.log")
        try:
            chain_url = f"http://127.0.0.1:{port}"
            chain = Chain(chain_url)
            provider_key = keys[PROVIDER_TEST_ACCOUNT]
            deployment = deploy_stack(chain, keys[0], Account.from_key(provider_key).address)
            stack = Stack.attach(chain, tinyhops_project(), deployment)
            driver = Driver(chain, stack, keys[1], provider_key)
            made = driver.run_until(events)
            catch_up, indexed = time_catch_up(chain_url, deployment, home)
            address_book.record(deployment, home / "deployments.json")
            big, _ = stack.submit(keys[1], spec.load(shapes.fan_out(PAGE_WIDTH)))
            driver.new_jobs()  # its root's job stays unanswered: the page shows it dispatched, the rest waiting
            with dashboard(chain_url, home) as address, sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
                try:
                    page_seconds(browser, address, big, PAGE_WIDTH + 2)  # a first load warms the caches
                    pages = [page_seconds(browser, address, big, PAGE_WIDTH + 2) for _ in range(PAGE_RUNS)]
                    results = result_seconds(browser, driver, address, RESULT_RUNS)
                finally:
                    browser.close()
            blocks = chain.block_number() - deployment.block + 1
        finally:
            devchain.stop(anvil)
    return Figures(indexed, made, blocks, catch_up, pages, results)


def table(figures: Figures) -> str:
    def line(name: str, seconds: list[float], target: float) -> str:
        median, worst = statistics.median(seconds), max(seconds)
        verdict = "met" if worst < target else "MISSED"
        return f"{name:<46} median {median:6.3f} s  worst {worst:6.3f} s  target < {target:g} s: {verdict}"

    catch_verdict = "met" if figures.catch_up_seconds < TARGETS["catch_up"] else "MISSED"
    return "\n".join([
        line(f"workflow page, {PAGE_WIDTH + 2} steps (to data-ready)", figures.page_seconds, TARGETS["page"]),
        line("a result, mined to coloured in the page", figures.result_seconds, TARGETS["result"]),
        f"{'index catch-up':<46} {figures.events:,} events of {figures.workflows} workflows over "
        f"{figures.blocks:,} blocks in {figures.catch_up_seconds:.2f} s ({figures.events_per_second:,.0f} events/s)"
        f"  target < {TARGETS['catch_up']:g} s: {catch_verdict}",
    ])


def as_json(figures: Figures) -> str:
    return json.dumps({**asdict(figures), "events_per_second": figures.events_per_second, "targets": TARGETS})
