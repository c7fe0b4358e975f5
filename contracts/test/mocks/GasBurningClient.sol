// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IEtherEscrowRegistry} from "../../interfaces/IEtherEscrowRegistry.sol";
import {IWorkflowRegistry} from "../../interfaces/IWorkflowRegistry.sol";
import {IWorkflowClient} from "../../interfaces/IWorkflowClient.sol";

/// @title GasBurningClient
/// @notice Test contract: a workflow owner whose finish callback spins until it runs out of gas.
contract GasBurningClient is IWorkflowClient {
    /// @notice Loop iterations of the last callback; it never returns, so this stays 0 on-chain.
    uint256 public spins;

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
    function onWorkflowFinished(uint256, IWorkflowRegistry.WorkflowStatus) external {
        // A storage write per iteration, so no optimizer can drop the loop.
        for (uint256 i = 1; i != 0; ++i) {
            spins = i;
        }
    }
}
