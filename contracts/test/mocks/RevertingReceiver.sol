// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IEtherEscrowRegistry} from "../../interfaces/IEtherEscrowRegistry.sol";
import {IWorkflowRegistry} from "../../interfaces/IWorkflowRegistry.sol";

/// @title RevertingReceiver
/// @notice Test contract: a workflow owner (or resource provider) that refuses every ether transfer.
contract RevertingReceiver {
    /// @notice What every incoming transfer reverts with.
    error EtherRefused();

    /// @notice Submits a workflow owned by this contract, msg.value being its deposit.
    /// @param registry The registry.
    /// @param steps The workflow's steps.
    /// @return workflowId The new workflow's id.
    function submit(IEtherEscrowRegistry registry, IWorkflowRegistry.StepDefinition[] calldata steps)
        external
        payable
        returns (uint256 workflowId)
    {
        return registry.submit{value: msg.value}(steps);
    }

    /// @notice Withdraws this contract's refundable balance, which it then refuses.
    /// @param registry The registry.
    /// @return amount What the registry reports sending.
    function withdraw(IEtherEscrowRegistry registry) external returns (uint256 amount) {
        return registry.withdraw();
    }

    /// @notice Refuses ether.
    receive() external payable {
        revert EtherRefused();
    }
}
