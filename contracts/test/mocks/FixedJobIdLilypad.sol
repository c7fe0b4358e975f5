// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ILilypadV1} from "../../interfaces/lilypad/ILilypadV1.sol";

/// @title FixedJobIdLilypad
/// @notice Test contract: a broken Lilypad that returns the same job id for every job, so the registry
/// sees duplicate ids, or ids wider than the registry stores.
contract FixedJobIdLilypad is ILilypadV1 {
    /// @notice The id every job gets.
    uint256 public immutable jobId;

    /// @notice Fixes the job id every submission is answered with.
    /// @param jobId_ The id every job gets.
    constructor(uint256 jobId_) {
        jobId = jobId_;
    }

    /// @inheritdoc ILilypadV1
    function runModuleWithDefaultMediators(string calldata, string calldata) external payable returns (uint256) {
        return jobId;
    }

    /// @inheritdoc ILilypadV1
    function getModuleCost(string calldata) external pure returns (uint256) {
        return 0;
    }
}
