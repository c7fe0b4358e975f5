// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IWorkflowRegistry} from "../../interfaces/IWorkflowRegistry.sol";

/// @title StepDefinitionEcho
/// @notice Test contract: proves that what the Python encoder sends arrives as the registry's
///         `StepDefinition[]` by decoding it with solc's own ABI decoder and encoding it back.
contract StepDefinitionEcho {
    /// @notice Re-encodes the decoded argument, so a caller can compare it byte for byte.
    /// @param steps The workflow as `IWorkflowRegistry.submit` receives it.
    /// @return encoded `abi.encode(steps)`.
    function echo(IWorkflowRegistry.StepDefinition[] calldata steps) external pure returns (bytes memory encoded) {
        return abi.encode(steps);
    }

    /// @notice Reads one field deep inside the array, so a mis-encoded nesting cannot pass by accident.
    /// @param steps The workflow as `IWorkflowRegistry.submit` receives it.
    /// @param index Position of the step to read.
    /// @return stepId The step's id.
    /// @return lastNeed Its last dependency position (0 when it has none).
    /// @return paramsLength Length of its encoded params.
    function inspect(IWorkflowRegistry.StepDefinition[] calldata steps, uint256 index)
        external
        pure
        returns (uint64 stepId, uint16 lastNeed, uint256 paramsLength)
    {
        IWorkflowRegistry.StepDefinition calldata step = steps[index];
        uint256 count = step.needs.length;
        return (step.stepId, count == 0 ? 0 : step.needs[count - 1], step.params.length);
    }
}
