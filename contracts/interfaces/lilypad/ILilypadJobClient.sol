// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ILilypadJobClient
/// @notice Callback a contract implements to receive the results of the Lilypad v2 jobs it created with
/// `ILilypadJobManager.runJob`.
/// @dev The job manager calls it when the job-creator service posts results; a failed, timed-out or rejected
/// job is never called back. A safe client checks that msg.sender is the job manager, accepts only ids its
/// own `runJob` calls returned, and ignores repeats.
interface ILilypadJobClient {
    /// @notice Receives a job's results.
    /// @param id The job id `runJob` returned.
    /// @param dealId The solver's deal id.
    /// @param dataId The CID of the job's results directory.
    function submitResults(uint256 id, string calldata dealId, string calldata dataId) external;
}
