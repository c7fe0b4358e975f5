// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ILilypadV1Caller} from "./ILilypadV1Caller.sol";

/// @title ILilypadV1RefundingCaller
/// @notice A Lilypad v1 client that says which answers still count and takes a job's payment back. Real
/// Lilypad v1 never refunds; the local stand-in uses this to be fair with money. The workflow registry has
/// both functions (IWorkflowRegistry).
interface ILilypadV1RefundingCaller is ILilypadV1Caller {
    /// @notice Whether an answer to this job now would count.
    /// @param jobId The job id.
    /// @return True while the job's answer is awaited.
    function jobInFlight(uint256 jobId) external view returns (bool);

    /// @notice Takes back a job's payment (msg.value).
    /// @param jobId The job the ether is for.
    function receiveJobRefund(uint256 jobId) external payable;
}
