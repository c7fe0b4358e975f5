"""A small Ethereum JSON-RPC client over HTTP (requests, kept-alive, batched): what the indexer and the
dashboard need of a node, without Ape or web3 (so they start fast)."""

from __future__ import annotations

import itertools
from typing import Any

import requests

from tinyhops.chain.connection import unreachable
from tinyhops.errors import TinyHopsError


class RpcError(TinyHopsError):
    """The node answered a request with an error."""

    def __init__(self, method: str, error: dict[str, Any]):
        self.method = method
        self.code = error.get("code")
        self.reason = str(error.get("message", error))
        data = error.get("data")
        self.data = data.get("data") if isinstance(data, dict) else data  # revert data, when the node gives it
        super().__init__(f"the node refused {method}: {self.reason}")


class Rpc:
    """One node, by URL."""

    def __init__(self, url: str, timeout: float = 30.0):
        self.url = url
        self.timeout = timeout
        self._session = requests.Session()
        self._ids = itertools.count(1)

    def _post(self, body: Any) -> Any:
        try:
            response = self._session.post(self.url, json=body, timeout=self.timeout)
            response.raise_for_status()
            return response.json()
        except (requests.RequestException, ValueError) as exc:
            raise unreachable(self.url, exc) from None

    def request(self, method: str, params: list[Any]) -> Any:
        answer = self._post({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params})
        if "error" in answer:
            raise RpcError(method, answer["error"])
        return answer["result"]

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        """Several requests in one round trip, answers in the order asked."""
        if not calls:
            return []
        first = next(self._ids)
        body = [{"jsonrpc": "2.0", "id": first + i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
        for _ in range(len(calls) - 1):
            next(self._ids)
        answers = {a["id"]: a for a in self._post(body)}
        results = []
        for i, (method, _) in enumerate(calls):
            answer = answers[first + i]
            if "error" in answer:
                raise RpcError(method, answer["error"])
            results.append(answer["result"])
        return results

    def chain_id(self) -> int:
        return int(self.request("eth_chainId", []), 16)

    def block_number(self) -> int:
        return int(self.request("eth_blockNumber", []), 16)

    def block(self, number: int | str) -> dict[str, Any] | None:
        tag = number if isinstance(number, str) else hex(number)
        return self.request("eth_getBlockByNumber", [tag, False])

    def blocks(self, numbers: list[int]) -> list[dict[str, Any] | None]:
        return self.batch([("eth_getBlockByNumber", [hex(n), False]) for n in numbers])

    def code(self, address: str, block: int | str = "latest") -> bytes:
        tag = block if isinstance(block, str) else hex(block)
        return bytes.fromhex(self.request("eth_getCode", [address, tag])[2:])

    def logs(self, addresses: list[str], from_block: int, to_block: int) -> list[dict[str, Any]]:
        query = {"address": addresses, "fromBlock": hex(from_block), "toBlock": hex(to_block)}
        return list(self.request("eth_getLogs", [query]))
