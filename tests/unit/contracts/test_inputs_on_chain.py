"""A step's inputs as the registry client sends them, on both backends, as far as the Lilypad contracts: on v2,
LocalLilypadV2's JobAdded carries the resolved `Key=Value` strings (a reference into an earlier result resolved
to its CID and path) under the module's v2 name; on v1, LocalLilypad's JobCreated carries one JSON object."""

from __future__ import annotations

import json
from typing import Any

import ape
import pytest
from contract_helpers import ETHER, Status
from eth_abi import decode
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyhops import spec
from tinyhops.chain.address_book import Deployment
from tinyhops.chain.deploy import DISPATCH_GAS, deploy_local_lilypad_v2, deploy_registry_v2
from tinyhops.chain.registry_client import RegistryClient
from tinyhops.encoding.backends import V2_DEFAULT_TIMEOUT
from tinyhops.testing.local_driver import LocalDriver
from tinyhops.testing.local_v2_driver import LocalV2Driver

CID_A = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
CID_B = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
WORKFLOW = {
    "version": "v0.0.1",
    "steps": [
        {"stepId": "1", "stepModule": {"cmd": "cowsay:v0.0.1", "inputs": {"Message": "first"}, "cost": "1"}},
        {
            "stepId": "2",
            "stepModule": {
                "cmd": "cowsay:v0.0.1",
                "inputs": {"Message": "the cow said {{stepId:1}}/stdout", "Style": "cow"},
                "cost": "1",
            },
        },
    ],
}


def client_for(project: Any, registry: Any, lilypad: Any, provider: Any, backend: str) -> RegistryClient:
    deployment = Deployment(ape.chain.chain_id, registry.address, lilypad.address, True, provider.address, 0, backend)
    return RegistryClient(project, deployment)


def test_v1_inputs_are_one_json_object_string_in_job_created(
    project: Any, registry: Any, lilypad: Any, provider: Any, driver: LocalDriver, user: Any
) -> None:
    client = client_for(project, registry, lilypad, provider, "v1")
    start = ape.chain.blocks.height + 1
    workflow_id = client.submit(spec.load(WORKFLOW), user)
    (created,) = lilypad.JobCreated.range(start, ape.chain.blocks.height + 1)
    assert (created.module, created.params) == ("cowsay:v0.0.1", '{"Message": "first"}')
    delivery = driver.answer(created.jobId, CID_A)
    (second,) = lilypad.JobCreated.from_receipt(delivery)
    assert second.params == f'{{"Message": "the cow said {CID_A}/stdout", "Style": "cow"}}'
    assert json.loads(second.params) == {"Message": f"the cow said {CID_A}/stdout", "Style": "cow"}
    driver.answer(second.jobId, CID_B)
    assert client.view(workflow_id).status == Status.COMPLETED


# Session fixtures (the v1 stack) come first: Ape isolates scopes in order.
@pytest.fixture(scope="module")
def v2(project: Any, deployer: Any, user: Any, provider: Any, keeper: Any) -> tuple[RegistryClient, LocalV2Driver]:
    job_creator = deploy_local_lilypad_v2(project, deployer, provider, ETHER)
    token = project.LocalLilypadToken.at(job_creator.getTokenAddress())
    registry = deploy_registry_v2(project, deployer, job_creator).registry
    token.mint(user, 10 * ETHER, sender=deployer)
    client = client_for(project, registry, job_creator, provider, "v2")
    return client, LocalV2Driver(registry, job_creator, token, provider, keeper)


def test_v2_inputs_with_a_reference_reach_job_added_as_resolved_key_value_strings(
    v2: tuple[RegistryClient, LocalV2Driver], user: Any
) -> None:
    client, driver = v2
    start = ape.chain.blocks.height + 1
    workflow_id = client.submit(spec.load(WORKFLOW), user)
    driver.collect_since(start)
    (first,) = driver.pending.values()
    assert (first.module, first.inputs, first.payee) == ("cowsay:v0.0.4", ["Message=first"], client.registry.address)
    delivery = driver.answer(first.job_id, CID_A)
    (second,) = driver.pending.values()
    assert second.module == "cowsay:v0.0.4"
    assert second.inputs == [f"Message=the cow said {CID_A}/stdout", "Style=cow"]
    # what the job-creator service makes of them: each element splits into exactly its key and value
    assert [element.split("=") for element in second.inputs] == [
        ["Message", f"the cow said {CID_A}/stdout"],
        ["Style", "cow"],
    ]
    assert [int(s.timeout) for s in client.registry.getSteps(workflow_id)] == [V2_DEFAULT_TIMEOUT] * 2
    assert delivery.txn_hash
    driver.answer(second.job_id, CID_B)
    view = client.view(workflow_id)
    assert view.status == Status.COMPLETED and [s.result_cid for s in view.steps] == [CID_A, CID_B]
    assert int(driver.token.balanceOf(client.registry)) == int(client.registry.refundableOf(user))  # all accounted


# Bytes next to the separator (0x1e) and ones that differ from it in one bit: the word-at-a-time search in
# LilypadV2Registry._inputs must neither miss a separator nor take one of these for it, at any offset in a word.
SPLIT_ALPHABET = "a=\x1d\x1f\x1c\x0e\x3e\x9e\u011e"


def run_job_inputs(registry: Any, params: str) -> list[str]:
    """The inputs `createJob(module, params, cost)` hands `runJob`, read from the call's trace (a call as the
    registry itself, the only caller createJob accepts: nothing is sent, no state changes)."""
    data = registry.createJob.encode_input(b"cowsay:v0.0.4", params, ETHER)
    call = {"from": registry.address, "to": registry.address, "data": data, "gas": hex(10_000_000)}
    trace = ape.chain.provider.make_request("debug_traceCall", [call, "latest", {"tracer": "callTracer"}])
    run_job = ape.chain.provider.web3.keccak(text="runJob(string,string[],address)")[:4].hex()
    (frame,) = [f for f in trace.get("calls", []) if f["input"].removeprefix("0x").startswith(run_job)]
    _module, inputs, _payee = decode(["string", "string[]", "address"], bytes.fromhex(frame["input"][10:]))
    return list(inputs)


@settings(max_examples=40, deadline=None)
@given(parts=st.lists(st.text(alphabet=SPLIT_ALPHABET, max_size=70), min_size=1, max_size=6))
def test_v2_params_split_at_every_separator_and_nowhere_else(
    v2: tuple[RegistryClient, LocalV2Driver], parts: list[str]
) -> None:
    params = "\x1e".join(parts)
    assert run_job_inputs(v2[0].registry, params) == (parts if params else [])


def test_a_join_of_98_cids_is_split_well_within_dispatch_gas(v2: tuple[RegistryClient, LocalV2Driver]) -> None:
    """The 1-98-1 fan-out's join on v2: before the word-at-a-time search its split alone took about 3.5M gas."""
    registry = v2[0].registry
    params = "Message=join " + " ".join([CID_A] * 98)
    assert run_job_inputs(registry, params) == [params]
    data = registry.createJob.encode_input(b"cowsay:v0.0.4", params, ETHER)
    gas = ape.chain.provider.web3.eth.estimate_gas({"from": registry.address, "to": registry.address, "data": data})
    assert gas < DISPATCH_GAS // 2
