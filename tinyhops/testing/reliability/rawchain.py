"""The chain without Ape's call path, for the reliability suite: plain JSON-RPC, signed raw transactions and the
project's ABIs. Thread-safe, about 2 ms a call instead of Ape's 25, and it bypasses every Python-side check
(a raw transaction carries exactly the calldata it is given).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.providers import HTTPProvider

PANIC = keccak(text="Panic(uint256)")[:4]
ERROR_STRING = keccak(text="Error(string)")[:4]
TX_GAS_CAP = 2**24  # EIP-7825's per-transaction gas cap


class RpcError(Exception):
    """The node answered a request with an error."""

    def __init__(self, method: str, error: dict[str, Any]):
        self.error = error
        super().__init__(f"{method}: {error}")


class Reverted(Exception):
    """A call or a transaction's gas estimate reverted; `data` is the revert data (b"" for a bare revert)."""

    def __init__(self, data: bytes, message: str):
        self.data = data
        super().__init__(message)


@dataclass(frozen=True)
class Event:
    name: str
    address: str
    block: int
    tx: str
    log_index: int
    args: SimpleNamespace

    def __getattr__(self, key: str) -> Any:
        return getattr(self.__dict__["args"], key)


class Chain:
    """One node, by URL."""

    def __init__(self, url: str):
        self.url = url
        self.w3 = Web3(HTTPProvider(url, exception_retry_configuration=None, request_kwargs={"timeout": 30}))
        self._chain_id: int | None = None

    def request(self, method: str, params: list[Any]) -> Any:
        response = self.w3.provider.make_request(method, params)  # type: ignore[arg-type]
        if "error" in response:
            raise RpcError(method, dict(response["error"]))
        return response["result"]

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self.request("eth_chainId", []), 16)
        return self._chain_id

    def block_number(self) -> int:
        return int(self.request("eth_blockNumber", []), 16)

    def timestamp(self) -> int:
        return int(self.request("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def balance(self, address: str) -> int:
        return int(self.request("eth_getBalance", [address, "latest"]), 16)

    def nonce(self, address: str) -> int:
        return int(self.request("eth_getTransactionCount", [address, "pending"]), 16)

    def code(self, address: str) -> bytes:
        return bytes.fromhex(self.request("eth_getCode", [address, "latest"])[2:])

    def call(self, to: str, data: bytes, sender: str | None = None, value: int = 0) -> bytes:
        """eth_call at the latest block; Reverted with the revert data if it reverts."""
        call: dict[str, Any] = {"to": to, "data": "0x" + data.hex()}
        if sender:
            call["from"] = sender
        if value:
            call["value"] = hex(value)
        response = self.w3.provider.make_request("eth_call", [call, "latest"])  # type: ignore[arg-type]
        if "error" in response:
            raise _reverted(response["error"])
        return bytes.fromhex(response["result"][2:])

    def send(self, key: str, to: str | None, data: bytes, value: int = 0, gas: int | None = None) -> dict[str, Any]:
        """Sign and send a legacy transaction from `key`, wait for its receipt. Without `gas`, it is first
        estimated (Reverted if it would revert), then sent with TX_GAS_CAP as Ape does on a local chain: a
        result delivered with too little gas is recorded but leaves the steps it made ready queued, so an
        estimate (the least gas that does not revert) would buy a delivery that dispatches nothing. With `gas`,
        a reverting transaction is mined with status 0."""
        sender = Account.from_key(key).address
        tx: dict[str, Any] = {"from": sender, "data": "0x" + data.hex(), "value": hex(value)}
        if to is not None:
            tx["to"] = to
        if gas is None:
            response = self.w3.provider.make_request("eth_estimateGas", [tx])  # type: ignore[arg-type]
            if "error" in response:
                raise _reverted(response["error"])
            gas = TX_GAS_CAP
        fields: dict[str, Any] = {
            "nonce": self.nonce(sender),
            "gasPrice": int(self.request("eth_gasPrice", []), 16),
            "gas": gas,
            "value": value,
            "data": data,
            "chainId": self.chain_id,
        }
        if to is not None:
            fields["to"] = to_checksum_address(to)
        signed = Account.sign_transaction(fields, key)
        tx_hash = self.request("eth_sendRawTransaction", ["0x" + signed.raw_transaction.hex()])
        for _ in range(600):
            receipt = self.request("eth_getTransactionReceipt", [tx_hash])
            if receipt is not None:
                return dict(receipt)
            time.sleep(0.02)
        raise TimeoutError(f"no receipt for {tx_hash}")

    def logs(self, address: str, from_block: int, to_block: int | str = "latest") -> list[dict[str, Any]]:
        end = to_block if isinstance(to_block, str) else hex(to_block)
        return list(self.request("eth_getLogs", [{"address": address, "fromBlock": hex(from_block), "toBlock": end}]))


def _reverted(error: dict[str, Any]) -> Reverted:
    data = error.get("data")
    if isinstance(data, dict):  # some nodes nest it
        data = data.get("data")
    raw = bytes.fromhex(data[2:]) if isinstance(data, str) and data.startswith("0x") else b""
    return Reverted(raw, str(error.get("message", error)))


def fees(receipt: dict[str, Any]) -> int:
    """Wei a transaction's sender paid for gas."""
    return int(receipt["gasUsed"], 16) * int(receipt["effectiveGasPrice"], 16)


def ok(receipt: dict[str, Any]) -> bool:
    return int(receipt["status"], 16) == 1


def _named(abi: Any, value: Any) -> Any:
    """A decoded value with struct fields by name (arrays of structs too), as the ABI names them."""
    if abi.components is None:
        return to_checksum_address(value) if abi.type == "address" else value
    if abi.type.endswith("[]"):
        return [_named(SimpleNamespace(components=abi.components, type=abi.type[:-2]), item) for item in value]
    return SimpleNamespace(
        **{c.name: _named(c, v) for c, v in zip(abi.components, value, strict=True)}  # type: ignore[misc]
    )


class Contract:
    """A deployed contract of the project, by address, over a Chain."""

    def __init__(self, chain: Chain, address: str, contract_type: Any):
        self.chain = chain
        self.address = to_checksum_address(address)
        self.type = contract_type
        # By name and arity: `submit` is overloaded (with WorkflowOptions, one argument more).
        self._methods = {(m.name, len(m.inputs)): m for m in contract_type.methods}
        self._events = {keccak(text=e.selector): e for e in contract_type.events}
        self._errors = {keccak(text=e.selector)[:4]: e for e in contract_type.errors}

    def calldata(self, name: str, *args: Any) -> bytes:
        method = self._methods[name, len(args)]
        return keccak(text=method.selector)[:4] + abi_encode([i.canonical_type for i in method.inputs], args)

    def call(self, name: str, *args: Any, sender: str | None = None) -> Any:
        method = self._methods[name, len(args)]
        raw = self.chain.call(self.address, self.calldata(name, *args), sender)
        values = abi_decode([o.canonical_type for o in method.outputs], raw)
        named = [_named(o, v) for o, v in zip(method.outputs, values, strict=True)]
        return named[0] if len(named) == 1 else tuple(named)

    def send(self, key: str, name: str, *args: Any, value: int = 0, gas: int | None = None) -> dict[str, Any]:
        return self.chain.send(key, self.address, self.calldata(name, *args), value, gas)

    def error_name(self, data: bytes) -> str:
        """How revert data reads: a custom error of this contract by name, Panic(0x..), Error(...), or "" for
        a bare revert. Raises ValueError for data that is none of these."""
        if not data:
            return ""
        if data[:4] == PANIC:
            return f"Panic({abi_decode(['uint256'], data[4:])[0]:#x})"
        if data[:4] == ERROR_STRING:
            return f"Error({abi_decode(['string'], data[4:])[0]!r})"
        error = self._errors.get(data[:4])
        if error is None:
            raise ValueError(f"revert data {data.hex()} is no error of {self.type.name}")
        return error.name

    def decode(self, log: dict[str, Any]) -> Event | None:
        """A log of this contract as an Event, None for other addresses or unknown topics."""
        if to_checksum_address(log["address"]) != self.address or not log["topics"]:
            return None
        abi = self._events.get(bytes.fromhex(log["topics"][0][2:]))
        if abi is None:
            return None
        topics = iter(log["topics"][1:])
        plain = [i for i in abi.inputs if not i.indexed]
        data = iter(abi_decode([i.canonical_type for i in plain], bytes.fromhex(log["data"][2:])))
        args = {}
        for item in abi.inputs:
            if item.indexed:
                value = abi_decode([item.canonical_type], bytes.fromhex(next(topics)[2:]))[0]
            else:
                value = next(data)
            args[item.name] = to_checksum_address(value) if item.canonical_type == "address" else value
        return Event(
            abi.name,
            self.address,
            int(log["blockNumber"], 16),
            log["transactionHash"],
            int(log["logIndex"], 16),
            SimpleNamespace(**args),
        )

    def events(self, logs: list[dict[str, Any]], name: str | None = None) -> list[Event]:
        decoded = (self.decode(log) for log in logs)
        return [e for e in decoded if e is not None and (name is None or e.name == name)]

    def history(self, from_block: int, name: str | None = None) -> list[Event]:
        return self.events(self.chain.logs(self.address, from_block), name)

    def receipt_events(self, receipt: dict[str, Any], name: str | None = None) -> list[Event]:
        return self.events(list(receipt["logs"]), name)


def deploy(chain: Chain, key: str, contract_type: Any, *args: Any) -> str:
    """Deploy `contract_type` with constructor `args` from `key`; its address."""
    constructor = contract_type.constructor
    types = [i.canonical_type for i in constructor.inputs] if constructor else []
    code = bytes.fromhex(contract_type.deployment_bytecode.bytecode[2:]) + abi_encode(types, args)
    receipt = chain.send(key, None, code, gas=15_000_000)
    if not ok(receipt):
        raise RuntimeError(f"deploying {contract_type.name} failed: {receipt}")
    return to_checksum_address(receipt["contractAddress"])
