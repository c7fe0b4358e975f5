"""`ape run deploy` on a chain whose id is not a local one (anvil started with --chain-id 12345), and on a local one.

Without --lilypad it must refuse before sending anything; with --lilypad it deploys only the registry
against that Lilypad (no LocalLilypad) and records local_lilypad false; with --lilypad-v2 the same on a v2 job
creator. On a local chain `--backend v2` deploys the v2 stand-ins and gives every test account tokens.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_processes import ANVIL_KEYS, Finished, ape_run
from eth_utils import to_checksum_address
from web3 import Web3

from tinyhops.chain.accounts import from_private_key
from tinyhops.chain.deploy import LOCAL_TEST_TOKENS, create_address
from tinyhops.chain.devchain import _answers, free_port, stop

CHAIN_ID = 12345
LILYPAD = "0x00000000000000000000000000000000C0FFEE01"
PROVIDER_KEY = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6"  # anvil's account 9


@pytest.fixture
def remote_chain(tmp_path: Path) -> Iterator[str]:
    """An anvil that calls itself chain 12345, on a free port; its URL."""
    yield from _anvil(tmp_path, CHAIN_ID)


def test_deploy_off_a_local_chain_needs_lilypad_and_never_deploys_the_stand_in(
    remote_chain: str, tmp_path: Path
) -> None:
    web3 = Web3(Web3.HTTPProvider(remote_chain))
    assert web3.eth.chain_id == CHAIN_ID
    deployer = from_private_key(ANVIL_KEYS[0]).address
    deployments_file = tmp_path / "deployments.json"
    env = {"TINYHOPS_DEPLOYMENTS": str(deployments_file), "TINYHOPS_HOME": str(tmp_path / "home")}

    refused = Finished.of(ape_run("deploy", chain_uri=remote_chain, THOPS_PRIVATE_KEY=ANVIL_KEYS[0], **env))
    # Exactly this: no mention of an ape-config.yaml setting that nothing reads.
    assert refused.one_line_error() == (
        f"error: chain {CHAIN_ID} is not a local chain: give the Lilypad contract with --lilypad ADDRESS"
    )
    assert web3.eth.block_number == 0 and web3.eth.get_transaction_count(deployer) == 0
    assert not deployments_file.exists()

    deployed = Finished.of(
        ape_run("deploy", "--lilypad", LILYPAD, chain_uri=remote_chain, THOPS_PRIVATE_KEY=ANVIL_KEYS[0], **env)
    )
    assert deployed.code == 0, deployed
    record = json.loads(deployments_file.read_text())
    assert list(record) == [str(CHAIN_ID)]
    entry = record[str(CHAIN_ID)]
    # One contract from the deployer's first nonce: the registry, Lilypad's client. No LocalLilypad.
    assert web3.eth.get_transaction_count(deployer) == 1
    registry = create_address(deployer, 0)
    assert entry == {
        "chain_id": CHAIN_ID,
        "registry": registry,
        "lilypad": LILYPAD,
        "local_lilypad": False,
        "backend": "v1",
        "provider": None,
        "block": entry["block"],
    }
    assert web3.eth.get_code(registry)
    assert f"lilypad   {to_checksum_address(LILYPAD)}" in deployed.stdout_lines
    assert "local stand-in" not in deployed.stdout
    # The registry answers to the given Lilypad (its immutable, read via a call).
    answer = web3.eth.call({"to": registry, "data": Web3.keccak(text="lilypad()")[:4]})
    assert to_checksum_address(answer[-20:]) == to_checksum_address(LILYPAD)


def _anvil(tmp_path: Path, chain_id: int) -> Iterator[str]:
    anvil = shutil.which("anvil")
    assert anvil, "anvil is not on PATH"
    port = free_port()
    log = (tmp_path / f"anvil-{chain_id}.log").open("wb")
    process = subprocess.Popen(
        [anvil, "--host", "127.0.0.1", "--port", str(port), "--chain-id", str(chain_id), "--silent"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for _ in range(400):
            if _answers(port) or process.poll() is not None:
                break
            time.sleep(0.05)
        assert _answers(port), f"anvil --chain-id {chain_id} did not start on port {port}"
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
        log.close()


@pytest.fixture
def local_chain(tmp_path: Path) -> Iterator[str]:
    """An anvil with the local chain id 31337 (the stand-ins may be deployed), on a free port; its URL."""
    yield from _anvil(tmp_path, 31337)


def _call(web3: Web3, address: str, signature: str, *words: str) -> bytes:
    data = Web3.keccak(text=signature)[:4] + b"".join(bytes.fromhex(w.removeprefix("0x").rjust(64, "0")) for w in words)
    return bytes(web3.eth.call({"to": address, "data": data}))


def test_deploy_backend_v2_on_a_local_chain_deploys_the_job_creator_its_token_and_mints(
    local_chain: str, tmp_path: Path
) -> None:
    web3 = Web3(Web3.HTTPProvider(local_chain))
    deployments_file = tmp_path / "deployments.json"
    env = {"TINYHOPS_DEPLOYMENTS": str(deployments_file), "TINYHOPS_HOME": str(tmp_path / "home")}
    deployed = Finished.of(ape_run("deploy", "--backend", "v2", chain_uri=local_chain, **env), 120)
    assert deployed.code == 0, deployed
    entry = json.loads(deployments_file.read_text())["31337"]
    controller = from_private_key(PROVIDER_KEY).address
    assert (entry["backend"], entry["local_lilypad"], entry["provider"]) == ("v2", True, controller)
    registry, job_creator = entry["registry"], entry["lilypad"]
    answer = _call(web3, registry, "lilypad()")
    assert to_checksum_address(answer[-20:]) == job_creator
    assert to_checksum_address(_call(web3, job_creator, "getControllerAddress()")[-20:]) == controller
    token = to_checksum_address(_call(web3, job_creator, "getTokenAddress()")[-20:])
    for key in ANVIL_KEYS:  # every test account can submit at once
        holder = from_private_key(key).address
        assert int.from_bytes(_call(web3, token, "balanceOf(address)", holder), "big") == LOCAL_TEST_TOKENS
    assert f"lilypad   {job_creator} (local stand-in)" in deployed.stdout_lines
    assert f"controller {controller} (run `ape run provider`)" in deployed.stdout_lines


def test_deploy_lilypad_v2_on_any_chain_deploys_only_the_registry_on_that_job_creator(
    project: Any, remote_chain: str, tmp_path: Path
) -> None:
    web3 = Web3(Web3.HTTPProvider(remote_chain))
    deployer = from_private_key(ANVIL_KEYS[0]).address
    # A job creator already on the chain (as Lilypad's is on Arbitrum Sepolia): the stand-in, deployed by hand.
    token = _deploy_raw(web3, project.LocalLilypadToken, deployer)
    job_creator = _deploy_raw(web3, project.LocalLilypadV2, deployer, token, deployer, 2 * 10**18)
    deployments_file = tmp_path / "deployments.json"
    env = {"TINYHOPS_DEPLOYMENTS": str(deployments_file), "TINYHOPS_HOME": str(tmp_path / "home")}
    key = {"THOPS_PRIVATE_KEY": ANVIL_KEYS[0]}

    refusals = [
        ape_run("deploy", "--backend", "v2", chain_uri=remote_chain, **key, **env),
        ape_run("deploy", "--lilypad-v2", LILYPAD, chain_uri=remote_chain, **key, **env),
        ape_run("deploy", "--lilypad-v2", job_creator, "--lilypad", LILYPAD, chain_uri=remote_chain, **key, **env),
    ]
    no_address, no_code, both = (Finished.of(run, 120) for run in refusals)
    assert no_address.one_line_error() == (
        f"error: chain {CHAIN_ID} is not a local chain: give the Lilypad contract with --lilypad-v2 ADDRESS "
        "(the job creator)"
    )
    assert no_code.one_line_error() == (
        f"error: no contract at {LILYPAD} on chain {CHAIN_ID}: check the address and --network"
    )
    assert both.one_line_error() == "error: give either --lilypad (v1) or --lilypad-v2 (v2), not both"
    assert not deployments_file.exists()
    nonce = web3.eth.get_transaction_count(deployer)

    deployed = Finished.of(ape_run("deploy", "--lilypad-v2", job_creator, chain_uri=remote_chain, **key, **env), 120)
    assert deployed.code == 0, deployed
    entry = json.loads(deployments_file.read_text())[str(CHAIN_ID)]
    assert web3.eth.get_transaction_count(deployer) == nonce + 1  # the registry only: no stand-in, no token
    assert entry == {
        "chain_id": CHAIN_ID,
        "registry": create_address(deployer, nonce),
        "lilypad": job_creator,
        "local_lilypad": False,
        "backend": "v2",
        "provider": None,
        "block": entry["block"],
    }
    assert to_checksum_address(_call(web3, entry["registry"], "lilypad()")[-20:]) == job_creator
    assert "local stand-in" not in deployed.stdout


def _deploy_raw(web3: Web3, container: Any, sender: str, *args: Any) -> str:
    """Deploy a compiled contract with anvil's unlocked `sender`, outside Ape (its chain is another one)."""
    contract_type = container.contract_type
    abi = [entry.model_dump(by_alias=True, mode="json") for entry in contract_type.abi]
    factory = web3.eth.contract(abi=abi, bytecode=contract_type.deployment_bytecode.bytecode)
    receipt = web3.eth.wait_for_transaction_receipt(factory.constructor(*args).transact({"from": sender}))
    return to_checksum_address(receipt["contractAddress"])
