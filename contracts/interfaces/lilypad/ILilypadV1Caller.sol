// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ILilypadV1Caller
/// @notice Callback a contract implements to receive the answers to the Lilypad v1 jobs it submitted.
/// @dev Lilypad calls it on the contract that called `runModuleWithDefaultMediators`, in a later
/// transaction. If it reverts, Lilypad's own result transaction reverts and the answer is lost, so an
/// implementation should revert only for callers other than Lilypad and job ids it does not know.
interface ILilypadV1Caller {
    /// @notice Receives the answer to a job.
    /// @dev Implementers must check that msg.sender is the Lilypad contract. A failed job arrives as a
    /// `cid` of the form "JOB_FAILED:<reason>" rather than through a separate function.
    /// @param jobId The job id `runModuleWithDefaultMediators` returned.
    /// @param cid The result CID, or "JOB_FAILED:" followed by the failure reason.
    function receiveJobResults(uint256 jobId, string calldata cid) external;
}
