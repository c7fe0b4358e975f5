// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ILilypadV1} from "../../interfaces/lilypad/ILilypadV1.sol";

/// @title GasHungryLilypad
/// @notice Test contract: a Lilypad whose job submission spends most of its gas in a nested call, as a
/// Lilypad that calls into other contracts to create a deal would. Starving that inner call makes the
/// submission revert while its callers still hold several 64ths of the gas.
contract GasHungryLilypad is ILilypadV1 {
    /// @notice Hashing rounds of the nested call: about a million gas.
    uint256 public constant WORK = 15_000;

    /// @notice Jobs submitted so far; job ids run from 1.
    uint256 public jobCount;

    /// @notice The last hash computed by the nested call.
    bytes32 public digest;

    /// @inheritdoc ILilypadV1
    function runModuleWithDefaultMediators(string calldata, string calldata) external payable returns (uint256) {
        this.prepareJob();
        return ++jobCount;
    }

    /// @notice The nested call: burns about a million gas hashing.
    function prepareJob() external {
        bytes32 h = digest;
        for (uint256 i; i < WORK; ++i) {
            assembly ("memory-safe") {
                mstore(0, h)
                h := keccak256(0, 32)
            }
        }
        digest = h;
    }

    /// @inheritdoc ILilypadV1
    function getModuleCost(string calldata) external pure returns (uint256) {
        return 0;
    }
}
