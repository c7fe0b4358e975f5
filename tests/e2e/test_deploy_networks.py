"""`ape run deploy` on a chain whose id is not a local one (anvil started with --chain-id 12345).

Without --lilypad it must refuse before sending anything; with --lilypad it deploys only the registry
against that Lilypad (no LocalLilypad) and records local_lilypad false.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_processes import ANVIL_KEYS, Finished, ape_run
from eth_utils import to_checksum_address
from web3 import Web3

from tinyhops.chain.accounts import from_private_key
from tinyhops.chain.deploy import create_address
from tinyhops.chain.devchain import _answers, free_port, stop

CHAIN_ID = 12345
LILYPAD = "0x00000000000000000000000000000000C0FFEE01"


@pytest.fixture
def remote_chain(tmp_path: Path) -> Iterator[str]:
    """An anvil that calls itself chain 12345, on a free port; its URL."""
    anvil = shutil.which("anvil")
    assert anvil, "anvil is not on PATH"
    port = free_port()
    log = (tmp_path / "anvil.log").open("wb")
    process = subprocess.Popen(
        [anvil, "--host", "127.0.0.1", "--port", str(port), "--chain-id", str(CHAIN_ID), "--silent"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for _ in range(400):
            if _answers(port) or process.poll() is not None:
                break
            time.sleep(0.05)
        assert _answers(port), f"anvil --chain-id {CHAIN_ID} did not start on port {port}"
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
        log.close()


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
