"""The provider's transactions without Ape's transaction path: signed here with the account's key (eth_account),
sent without waiting for each receipt, the nonce kept here, the receipts of many fetched in one batched request.

Ape's path (gas estimate or fixed, nonce and fee look-ups, signing, waiting for the receipt, decoding it) cost
about 50 ms a transaction on this machine, most of the local provider's time. Here a transaction costs a
signature (under 1 ms with coincurve) and one `eth_sendRawTransaction`; the node's answer to a batch of
`eth_getTransactionReceipt` tells how they went. The nonce is read from the node ("pending") at each `sync`,
so transactions sent meanwhile by Ape (the keeper's) are counted, and once more after a refusal.

`Heads` follows new blocks (a `newHeads` subscription over the node's websocket, where it has one): the
provider waits for the next block, or its poll interval for the keeper's clock, instead of sleeping.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_utils import keccak
from web3.exceptions import Web3RPCError

from tinyhops.errors import ProviderError

RECEIPT_TIMEOUT_SECONDS = 120.0  # a transaction not mined by then is reported, not waited for forever
MIN_PRIORITY_FEE = 10**9  # wei; what a node that does not suggest one is offered
# A node's refusal of a raw transaction ("nonce too low", "already known"): web3 7 raises Web3RPCError, which is
# not a ValueError (web3 6's was).
REFUSED = (ValueError, Web3RPCError)


@dataclass(frozen=True)
class Sent:
    """A signed transaction: its hash, its nonce and its raw bytes (kept to send it again after a restart)."""

    hash: str
    nonce: int
    raw: bytes


def transaction_hash(raw: bytes) -> str:
    return "0x" + keccak(raw).hex()


class Sender:
    """Signs and sends `account`'s transactions on `web3`; `sync` before a round of sends."""

    def __init__(self, web3: Any, account: Any):
        self.web3 = web3
        self.address = account.address
        self._key = _private_key(account)
        self._account = account
        self.chain_id = int(web3.eth.chain_id)
        self.nonce = 0
        self._fees: dict[str, int] = {}

    def sync(self) -> None:
        """Read the next nonce and the fees from the node."""
        self.nonce = int(self.web3.eth.get_transaction_count(self.address, "pending"))
        base_fee = int(self.web3.eth.get_block("latest").get("baseFeePerGas", 0) or 0)
        try:
            tip = max(int(self.web3.eth.max_priority_fee), MIN_PRIORITY_FEE)
        except Exception:  # noqa: BLE001 - a node without eth_maxPriorityFeePerGas gets the floor
            tip = MIN_PRIORITY_FEE
        self._fees = {"maxFeePerGas": 2 * base_fee + tip, "maxPriorityFeePerGas": tip}

    def sign(self, to: str, data: bytes, gas: int) -> Sent:
        """Sign a call of `to` with `data` and a fixed `gas` limit at the next nonce (taken)."""
        fields = {"to": to, "data": data, "gas": gas, "value": 0, "nonce": self.nonce, "chainId": self.chain_id}
        fields |= self._fees or {"maxFeePerGas": 2 * MIN_PRIORITY_FEE, "maxPriorityFeePerGas": MIN_PRIORITY_FEE}
        raw = self._signed(fields | {"type": 2})
        self.nonce += 1
        return Sent(transaction_hash(raw), fields["nonce"], raw)

    def send(self, to: str, data: bytes, gas: int) -> Sent:
        """Sign and send; a refused send (a nonce taken meanwhile, say) is signed again once at a fresh nonce."""
        sent = self.sign(to, data, gas)
        try:
            self.broadcast(sent)
        except REFUSED:
            self.sync()
            sent = self.sign(to, data, gas)
            self.broadcast(sent)
        return sent

    def broadcast(self, sent: Sent) -> None:
        self.web3.eth.send_raw_transaction(sent.raw)

    def receipts(self, hashes: list[str], heads: Heads | None = None) -> dict[str, Any]:
        """The receipts of `hashes`, fetched in batches until all are mined; following blocks while waiting."""
        found: dict[str, Any] = {}
        deadline = time.monotonic() + RECEIPT_TIMEOUT_SECONDS
        while True:
            missing = [h for h in hashes if h not in found]
            found |= {h: r for h, r in zip(missing, self.fetch_receipts(missing), strict=True) if r is not None}
            if len(found) == len(set(hashes)):
                return found
            if time.monotonic() > deadline:
                raise ProviderError(
                    f"{len(hashes) - len(found)} transaction(s) not mined in {RECEIPT_TIMEOUT_SECONDS}s"
                )
            if heads is not None:
                heads.wait(1.0)
            else:
                time.sleep(0.05)

    def fetch_receipts(self, hashes: list[str]) -> list[Any]:
        """One batched request: each hash's receipt (the node's JSON), or None while it is not mined."""
        return rpc_batch(self.web3, [("eth_getTransactionReceipt", [h]) for h in hashes])

    def _signed(self, fields: dict[str, Any]) -> bytes:
        if self._key is not None:
            return bytes(Account.sign_transaction(fields, self._key).raw_transaction)
        return _signed_by_ape(self._account, fields)


def _private_key(account: Any) -> str | None:
    """The key of an account that holds one in memory (Ape's test accounts, THOPS_PRIVATE_KEY); None for others
    (a keyfile account signs through Ape, still locally)."""
    from ape_accounts.accounts import ApeSigner  # Ape's test accounts are ApeSigners too

    return str(account.private_key) if isinstance(account, ApeSigner) else None


def _signed_by_ape(account: Any, fields: dict[str, Any]) -> bytes:
    from ape import networks

    txn = networks.provider.network.ecosystem.create_transaction(
        receiver=fields["to"],
        data=fields["data"],
        gas_limit=fields["gas"],
        value=0,
        nonce=fields["nonce"],
        chain_id=fields["chainId"],
        max_fee=fields["maxFeePerGas"],
        max_priority_fee=fields["maxPriorityFeePerGas"],
        type=2,
    )
    signed = account.sign_transaction(txn)
    if signed is None:
        raise ProviderError(f"account {account.address} did not sign the provider's transaction")
    return bytes(signed.serialize_transaction())


def rpc_batch(web3: Any, requests: list[tuple[str, list[Any]]]) -> list[Any]:
    """The results of `requests` (JSON-RPC method and params, nothing formatted), sent as one batch; a request
    the node answers with an error raises ProviderError naming it."""
    if not requests:
        return []
    responses = web3.provider.make_batch_request(requests)
    if not isinstance(responses, list):  # the node refused the batch as a whole
        raise ProviderError(f"the node refused a batch of {len(requests)} requests: {responses.get('error')}")
    results = []
    for (method, _params), response in zip(requests, responses, strict=True):
        if "error" in response:
            raise ProviderError(f"{method} failed: {response['error'].get('message', response['error'])}")
        results.append(response.get("result"))
    return results


def status_of(receipt: Any) -> int:
    """A receipt's status (1 success, 0 reverted), from the node's JSON or web3's receipt."""
    status = receipt["status"]
    return int(status, 16) if isinstance(status, str) else int(status)


class Heads:
    """New blocks as the node announces them (`eth_subscribe newHeads` over its websocket, in a thread). `wait`
    returns as soon as a block arrived since the last `wait`, or after `timeout`; without a websocket (an
    HTTP-only node) it simply waits out `timeout`."""

    def __init__(self, http_uri: str | None):
        self._arrived = threading.Event()
        self.following = False
        if http_uri and http_uri.startswith(("http://", "https://")):
            url = "ws" + http_uri.removeprefix("http")
            try:
                from websockets.sync.client import connect

                self._socket = connect(url, open_timeout=2)
                self._socket.send(
                    json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_subscribe", "params": ["newHeads"]})
                )
                answer = json.loads(self._socket.recv(timeout=2))
                if "result" not in answer:
                    raise ValueError(answer.get("error"))
            except Exception:  # noqa: BLE001 - no websocket there: waits are plain timeouts
                return
            self.following = True
            threading.Thread(target=self._listen, daemon=True, name="heads").start()

    def _listen(self) -> None:
        try:
            for _message in self._socket:
                self._arrived.set()
        except Exception:  # noqa: BLE001 - the node went away: waits become plain timeouts
            pass
        self.following = False
        self._arrived.set()

    def wait(self, timeout: float) -> bool:
        """Wait for a block announced since the last call (True), or `timeout` seconds (False)."""
        arrived = self._arrived.wait(timeout)
        self._arrived.clear()
        return arrived

    def close(self) -> None:
        if self.following:
            self._socket.close()
