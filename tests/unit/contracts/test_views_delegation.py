"""The registry's views and its submit's definition builder are code of their own run on the registry's state
(README, "Contract size"): only the registry can run them on its state, and the views can change nothing."""

from __future__ import annotations

from typing import Any

import ape
from contract_helpers import ETHER, _decode, arguments, definition, reverts, text, view_reverts
from eth_abi import encode
from eth_utils import keccak
from web3.exceptions import ContractCustomError

from tinyhops.chain.deploy import create_address


def inverted(signature: str, *words: int) -> bytes:
    """Calldata as a registry view sends it to itself: the selector's bits inverted, the arguments as they are."""
    return bytes(b ^ 0xFF for b in keccak(text=signature)[:4]) + encode(["uint256"] * len(words), list(words))


def views_of(registry: Any) -> str:
    """The WorkflowViews the registry created in its constructor: its first CREATE, nonce 1 (EIP-161)."""
    return create_address(registry.address, 1)


def submit_one(registry: Any, user: Any) -> int:
    registry.submit(arguments([definition(0, params=text("first"))]), sender=user, value=2 * ETHER)
    return registry.workflowCount()


def test_a_stranger_sending_the_inverted_selector_is_refused(registry: Any, user: Any, stranger: Any) -> None:
    workflow_id = submit_one(registry, user)
    data = inverted("getWorkflow(uint256)", workflow_id)
    with reverts(registry.NotSelf, caller=stranger):
        stranger.transfer(registry.address, 0, data=data, gas_limit=200_000)
    try:
        ape.chain.provider.web3.eth.call({"from": stranger.address, "to": registry.address, "data": data})
    except ContractCustomError as exc:
        assert _decode(registry.NotSelf, bytes.fromhex(str(exc.data)[2:])) == {"caller": stranger.address}
    else:
        raise AssertionError("an inverted selector from a stranger was answered")


def test_unknown_calldata_and_plain_ether_are_refused(registry: Any, stranger: Any) -> None:
    with reverts(registry.NotSelf, caller=stranger):
        stranger.transfer(registry.address, 0, data=b"\x12\x34\x56\x78", gas_limit=200_000)
    # The fallback is not payable: plain ether is refused before it looks at the caller.
    balance = registry.balance
    with ape.reverts():
        stranger.transfer(registry.address, 1, gas_limit=200_000)
    assert registry.balance == balance


def test_the_views_code_holds_no_state_and_writes_none(project: Any, registry: Any, user: Any) -> None:
    workflow_id = submit_one(registry, user)
    address = views_of(registry)
    assert len(ape.chain.provider.get_code(address)) > 0
    views = project.WorkflowViews.at(address)
    # Called directly it reads its own, empty storage: never the registry's.
    assert registry.getWorkflow(workflow_id).stepCount == 1
    view_reverts(registry.UnknownWorkflow, views.getWorkflow, workflow_id, workflowId=workflow_id)
    abi = project.WorkflowViews.contract_type.abi
    mutabilities = {item.name: item.stateMutability for item in abi if item.type == "function"}
    assert mutabilities and set(mutabilities.values()) <= {"view", "pure"}, mutabilities


def test_a_views_revert_comes_back_as_it_was(registry: Any, user: Any) -> None:
    workflow_id = submit_one(registry, user)
    view_reverts(registry.UnknownStep, registry.getStep, workflow_id, 7, workflowId=workflow_id, stepIndex=7)
    view_reverts(registry.UnknownStepId, registry.stepIndexOf, workflow_id, 99, workflowId=workflow_id, stepId=99)


def builder_of(registry: Any) -> str:
    """The DefinitionBuilder the registry created in its constructor: its second CREATE, nonce 2."""
    return create_address(registry.address, 2)


def test_the_builder_called_directly_touches_no_registry(project: Any, registry: Any, user: Any, stranger: Any) -> None:
    workflow_id = submit_one(registry, user)
    builder = project.DefinitionBuilder.at(builder_of(registry))
    steps = arguments([definition(0, params=text("forged"))])
    # Whatever options, deposit and owner a stranger appends, the builder writes its own storage, never the
    # registry's.
    appended = encode(["uint256"] * 7 + ["address"], [1, 0, 0, 0, ETHER, 1, 2**96 - 1, stranger.address])
    data = builder.build.encode_input(steps) + appended
    stranger.transfer(builder.address, 0, data=data, gas_limit=2_000_000)
    assert registry.workflowCount() == workflow_id
    assert registry.getWorkflow(workflow_id).owner == user.address
    assert registry.getStep(workflow_id, 0).params == "first"


def test_a_submit_owned_by_its_sender_whatever_the_calldata_says(registry: Any, user: Any, stranger: Any) -> None:
    # Extra words after a submit's arguments do not reach the builder as its owner: the registry appends its own.
    data = registry.submit.encode_input(arguments([definition(0, params=text("x"))])) + encode(
        ["uint256", "address"], [1, stranger.address]
    )
    user.transfer(registry.address, 2 * ETHER, data=data, gas_limit=3_000_000)
    workflow_id = registry.workflowCount()
    assert registry.getWorkflow(workflow_id).owner == user.address
