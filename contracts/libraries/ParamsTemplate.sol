// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {PARAMS_REFERENCE_FLAG, PARAMS_POSITION_MASK} from "../interfaces/ParamsEncoding.sol";

/// @title ParamsTemplate
/// @notice Reads a step's params template (see interfaces/ParamsEncoding.sol) segment by segment: the one
/// reading of the encoding that validation at submit (WorkflowDefinition) and resolution at dispatch
/// (WorkflowRegistry) share. Validation reads headers from calldata and checks bounds; resolution trusts a
/// template validated at submit and reads it from memory.
library ParamsTemplate {
    /// @notice Whether the segment a header opens is a reference (else text, `header` bytes long).
    /// @param header The segment's 2-byte header.
    /// @return Whether it is a reference.
    function isReference(uint256 header) internal pure returns (bool) {
        return header & PARAMS_REFERENCE_FLAG != 0;
    }

    /// @notice The step position a reference segment's header names.
    /// @param header The segment's 2-byte header.
    /// @return The referenced step's position in the submitted array.
    function position(uint256 header) internal pure returns (uint256) {
        return header & PARAMS_POSITION_MASK;
    }

    /// @notice The header at `offset` of a template in memory (the caller keeps `offset + 2` in bounds).
    /// @param template The template.
    /// @param offset Where a header starts.
    /// @return header The header.
    function headerAt(bytes memory template, uint256 offset) internal pure returns (uint256 header) {
        assembly ("memory-safe") {
            header := shr(240, mload(add(add(template, 0x20), offset)))
        }
    }

    /// @notice The header at `offset` of a template in calldata (the caller keeps `offset + 2` in bounds).
    /// @param template The template.
    /// @param offset Where a header starts.
    /// @return header The header.
    function calldataHeaderAt(bytes calldata template, uint256 offset) internal pure returns (uint256 header) {
        assembly ("memory-safe") {
            header := shr(240, calldataload(add(template.offset, offset)))
        }
    }
}
