// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IEtherEscrowRegistry} from "../../interfaces/IEtherEscrowRegistry.sol";
import {IWorkflowRegistry} from "../../interfaces/IWorkflowRegistry.sol";
import {IWorkflowClient} from "../../interfaces/IWorkflowClient.sol";

/// @title RevertingClient
/// @notice Test contract: a workflow owner whose finish callback always reverts.
contract RevertingClient is IWorkflowClient {
    /// @notice What every callback reverts with.
    /// @param workflowId The workflow whose end was reported.
    error NotListening(uint256 workflowId);

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

    /// @inheritdoc IWorkflowClient
    function onWorkflowFinished(uint256 workflowId, IWorkflowRegistry.WorkflowStatus) external pure {
        revert NotListening(workflowId);
    }
}
