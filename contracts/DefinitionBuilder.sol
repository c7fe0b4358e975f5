// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IWorkflowRegistry} from "./interfaces/IWorkflowRegistry.sol";
import {DefinitionStore} from "./libraries/DefinitionStore.sol";
import {WorkflowDefinition} from "./libraries/WorkflowDefinition.sol";
import {WorkflowStorage} from "./WorkflowStorage.sol";

/// @title DefinitionBuilder
/// @notice A submit's validation and the writing of its definition, as code the registry runs on its own
/// state by DELEGATECALL (WorkflowRegistry._open): every rule of WorkflowDefinition, then the definition's
/// data contracts (DefinitionStore). Each registry deploys its own in its constructor, so that this code,
/// run once per submit, does not count towards the registry's EIP-170 limit.
/// @dev Called directly, it writes its own storage and creates data contracts of its own: nothing of any
/// registry's.
contract DefinitionBuilder is WorkflowStorage {
    /// @notice Validates `steps` and stores their definition for the workflow being submitted. Called with
    /// the submit's own calldata (`submit(steps)` or `submit(steps, deposit)`: either's first head word is
    /// the offset of `steps`, which is all this signature reads), the selector replaced and the new
    /// workflow's id and owner appended as two words; so nothing is encoded again for the call.
    /// @dev Reverts with the IWorkflowRegistry error naming the first offending step (WorkflowDefinition).
    /// Payable because a DELEGATECALL keeps the submit's msg.value (an ether escrow's deposit): the value
    /// is the registry's, never this contract's.
    /// @param steps The workflow in topological order.
    /// @return first The definition's first data contract.
    /// @return required Wei needed to pay every attempt of every step.
    function build(IWorkflowRegistry.StepDefinition[] calldata steps)
        external
        payable
        returns (address first, uint256 required)
    {
        uint256 workflowId;
        address owner;
        assembly ("memory-safe") {
            workflowId := calldataload(sub(calldatasize(), 0x40))
            owner := calldataload(sub(calldatasize(), 0x20))
        }
        bytes memory blob;
        (blob, required) = WorkflowDefinition.build(steps, workflowId, owner, block.timestamp);
        first = DefinitionStore.store(_extraChunks, workflowId, blob);
    }
}
