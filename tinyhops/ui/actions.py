"""Pause, resume, cancel and redrive from the dashboard (`--allow-actions`): raw transactions signed by the
server's signer (THOPS_PRIVATE_KEY, else on a local chain Ape's test account 0), sent through the node."""

from __future__ import annotations

import os
import time

from eth_abi import encode
from eth_account import Account
from eth_utils import function_signature_to_4byte_selector

from tinyhops.chain.accounts import PRIVATE_KEY_VARIABLE, from_private_key
from tinyhops.chain.address_book import LOCAL_CHAIN_IDS
from tinyhops.errors import TinyHopsError
from tinyhops.index.abi_events import describe_revert
from tinyhops.index.rpc import Rpc, RpcError

ACTIONS = ("pause", "resume", "cancel", "redrive")
TEST_MNEMONIC = "test test test test test test test test test test test junk"  # Ape's and anvil's test accounts
RECEIPT_POLLS = 600


def server_signer(chain_id: int):  # noqa: ANN201 - an eth_account LocalAccount
    if os.environ.get(PRIVATE_KEY_VARIABLE):
        return from_private_key(os.environ[PRIVATE_KEY_VARIABLE])
    if chain_id in LOCAL_CHAIN_IDS:
        Account.enable_unaudited_hdwallet_features()
        return Account.from_mnemonic(TEST_MNEMONIC)
    raise TinyHopsError(f"--allow-actions needs a signer: set {PRIVATE_KEY_VARIABLE}")


def send_action(  # noqa: PLR0913
    rpc: Rpc, chain_id: int, registry: str, signer, action: str, workflow_id: int,  # noqa: ANN001
    registry_contract: str = "LilypadV1Registry", deposit: int = 0,
) -> str:
    """Send `action(workflow_id)` to the registry; the transaction hash once it is mined (TinyHopsError, one
    line naming the registry's custom error, if it would revert: the registry checks owner and status). A
    redrive pays `deposit`: sent with it on v1; on v2 the registry is first allowed to pull it from the token."""
    if action not in ACTIONS:
        raise TinyHopsError(f"unknown action {action!r}")
    what = f"{action} of workflow {workflow_id}"
    if action != "redrive":
        data = function_signature_to_4byte_selector(f"{action}(uint256)") + encode(["uint256"], [workflow_id])
        return _send(rpc, chain_id, signer, registry, data, 0, what, registry_contract)
    if registry_contract == "LilypadV1Registry":
        data = function_signature_to_4byte_selector("redrive(uint256)") + encode(["uint256"], [workflow_id])
        return _send(rpc, chain_id, signer, registry, data, deposit, what, registry_contract)
    token = _address(rpc, _address(rpc, registry, "lilypad()"), "getTokenAddress()")
    approve = function_signature_to_4byte_selector("approve(address,uint256)") + encode(
        ["address", "uint256"], [registry, deposit]
    )
    _send(rpc, chain_id, signer, token, approve, 0, f"approving the deposit for the {what}", registry_contract)
    data = function_signature_to_4byte_selector("redrive(uint256,uint256)") + encode(
        ["uint256", "uint256"], [workflow_id, deposit]
    )
    return _send(rpc, chain_id, signer, registry, data, 0, what, registry_contract)


def _address(rpc: Rpc, contract: str, signature: str) -> str:
    """The address a view without arguments answers."""
    data = "0x" + function_signature_to_4byte_selector(signature).hex()
    answer = rpc.request("eth_call", [{"to": contract, "data": data}, "latest"])
    return "0x" + str(answer)[-40:]


def _send(  # noqa: PLR0913
    rpc: Rpc, chain_id: int, signer, to: str, data: bytes, value: int, what: str,  # noqa: ANN001
    registry_contract: str,
) -> str:
    call = {"from": signer.address, "to": to, "data": "0x" + data.hex(), "value": hex(value)}
    try:
        gas = int(rpc.request("eth_estimateGas", [call]), 16)
    except RpcError as exc:
        reason = describe_revert(registry_contract, exc.data) or exc.reason
        raise TinyHopsError(f"{what} refused by the registry: {reason}") from None
    tx = {
        "nonce": int(rpc.request("eth_getTransactionCount", [signer.address, "pending"]), 16),
        "gasPrice": int(rpc.request("eth_gasPrice", []), 16),
        "gas": gas * 2,
        "to": to,
        "value": value,
        "data": data,
        "chainId": chain_id,
    }
    signed = signer.sign_transaction(tx)
    tx_hash = rpc.request("eth_sendRawTransaction", ["0x" + signed.raw_transaction.hex()])
    for _ in range(RECEIPT_POLLS):
        receipt = rpc.request("eth_getTransactionReceipt", [tx_hash])
        if receipt is not None:
            if int(receipt["status"], 16) != 1:
                raise TinyHopsError(f"{what} reverted")
            return tx_hash
        time.sleep(0.05)
    raise TinyHopsError(f"{what}: no receipt yet for {tx_hash}")
