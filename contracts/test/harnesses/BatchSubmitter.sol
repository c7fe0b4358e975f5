// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IEtherEscrowRegistry} from "../../interfaces/IEtherEscrowRegistry.sol";
import {IWorkflowRegistry} from "../../interfaces/IWorkflowRegistry.sol";

/// @title BatchSubmitter
/// @notice Test contract: submits the same steps several times in one transaction, as a client batching
/// orders would, to show that per-submit checks kept in transient storage do not leak between submits.
contract BatchSubmitter {
    /// @notice Submits `steps` `times` times, splitting msg.value evenly between the deposits.
    /// @param registry The registry.
    /// @param steps The workflow's steps.
    /// @param times How many workflows to submit.
    /// @return workflowIds The new workflows' ids.
    function submitEach(IEtherEscrowRegistry registry, IWorkflowRegistry.StepDefinition[] calldata steps, uint256 times)
        external
        payable
        returns (uint256[] memory workflowIds)
    {
        workflowIds = new uint256[](times);
        for (uint256 i; i < times; ++i) {
            workflowIds[i] = registry.submit{value: msg.value / times}(steps);
        }
    }
}
