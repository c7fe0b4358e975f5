// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IEtherEscrowRegistry} from "../../interfaces/IEtherEscrowRegistry.sol";
import {IWorkflowRegistry} from "../../interfaces/IWorkflowRegistry.sol";

/// @title ReentrantWithdrawer
/// @notice Test contract: a workflow owner that, on receiving its refund, calls `withdraw` again to be
/// paid twice. Either re-raises the re-entrant call's revert or swallows it and keeps the payment.
contract ReentrantWithdrawer {
    /// @notice The registry this owner withdraws from.
    IEtherEscrowRegistry public immutable registry;

    /// @notice Whether `receive` swallows a failed re-entrant withdraw instead of re-raising it.
    bool public immutable swallowReentryFailure;

    /// @notice Number of payments received.
    uint256 public payments;

    /// @notice Total wei received.
    uint256 public received;

    /// @notice First four bytes of the last failed re-entrant withdraw's revert data.
    bytes4 public reentryError;

    /// @notice Points the withdrawer at the registry it re-enters.
    /// @param registry_ The registry.
    /// @param swallowReentryFailure_ Whether to swallow a failed re-entrant withdraw.
    constructor(IEtherEscrowRegistry registry_, bool swallowReentryFailure_) {
        registry = registry_;
        swallowReentryFailure = swallowReentryFailure_;
    }

    /// @notice Submits a workflow owned by this contract, msg.value being its deposit.
    /// @param steps The workflow's steps.
    /// @return workflowId The new workflow's id.
    function submit(IWorkflowRegistry.StepDefinition[] calldata steps) external payable returns (uint256 workflowId) {
        return registry.submit{value: msg.value}(steps);
    }

    /// @notice Withdraws this contract's refundable balance from the registry.
    /// @return amount What the registry reports sending.
    function withdraw() external returns (uint256 amount) {
        return registry.withdraw();
    }

    /// @notice Counts the payment, then tries to withdraw again from inside the registry's transfer.
    receive() external payable {
        payments += 1;
        received += msg.value;
        (bool succeeded, bytes memory returned) = address(registry).call(abi.encodeCall(IWorkflowRegistry.withdraw, ()));
        if (succeeded) return;
        reentryError = bytes4(returned);
        if (!swallowReentryFailure) {
            assembly ("memory-safe") {
                revert(add(returned, 0x20), mload(returned))
            }
        }
    }
}
