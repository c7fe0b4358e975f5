// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IWorkflowRegistry} from "./IWorkflowRegistry.sol";

/// @title IWorkflowClient
/// @notice Callback for a contract that owns workflows, telling it when one of them ends.
/// @dev The registry calls it on the workflow's owner if the owner has code when the workflow reaches
/// Completed, Failed or Cancelled, with a fixed gas stipend inside try/catch. A revert or running out of
/// gas is recorded as ClientNotificationFailed and blocks nothing: the workflow has ended and its refund is
/// credited either way. The registry's lock is held during the call, so calling its state-changing
/// functions from here reverts with Reentered; views work.
interface IWorkflowClient {
    /// @notice Called by the registry once a workflow owned by this contract has ended.
    /// @dev Implementers must check that msg.sender is the registry, since anyone can call this. Keep it
    /// cheap: the stipend is fixed. Results are read with IWorkflowRegistry.resultOf.
    /// @param workflowId The workflow that ended.
    /// @param status Its final status: Completed, Failed or Cancelled.
    function onWorkflowFinished(uint256 workflowId, IWorkflowRegistry.WorkflowStatus status) external;
}
