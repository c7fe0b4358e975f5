// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IJobMediator
/// @notice The workflow registry's only view of Lilypad: submits a step's job and routes Lilypad's answer
/// back to the registry's `recordResult` or `recordFailure`.
/// @dev One adapter per Lilypad version implements this, so the registry never changes when Lilypad does.
/// The adapter is the Lilypad client: jobs are submitted from its address, so Lilypad answers it, and it
/// remembers which workflow, step and attempt each job id belongs to.
interface IJobMediator {
    /// @notice Thrown when someone other than the registry submits a job.
    /// @param caller The rejected caller.
    error NotRegistry(address caller);

    /// @notice Thrown when someone other than Lilypad delivers a job's answer.
    /// @param caller The rejected caller.
    error NotLilypad(address caller);

    /// @notice Thrown when a job id was not submitted through this mediator.
    /// @param jobId The unknown job id.
    error UnknownJob(uint256 jobId);

    /// @notice Thrown when Lilypad returns a job id this mediator already routes.
    /// @param jobId The repeated job id.
    error DuplicateJob(uint256 jobId);

    /// @notice Thrown when Lilypad returns a job id wider than the registry stores (56 bits).
    /// @dev Lilypad numbers jobs with a counter, so this guards against a misconfigured Lilypad address.
    /// @param jobId The job id.
    error JobIdTooLarge(uint256 jobId);

    /// @notice Submits one attempt of a step to Lilypad, paying it msg.value. Registry only.
    /// @dev Records the job id against (workflowId, stepIndex, attempt) so the answer can be routed back.
    /// Reverts with NotRegistry, DuplicateJob or JobIdTooLarge; bubbles up a revert from Lilypad, which the registry counts as a failed
    /// attempt.
    /// @param workflowId The workflow.
    /// @param stepIndex Position of the step in the workflow.
    /// @param attempt The attempt's number, from 1.
    /// @param module Lilypad module name and version, such as "cowsay:v0.0.1".
    /// @param params The resolved params string.
    /// @return jobId The Lilypad job id.
    function submitJob(
        uint256 workflowId,
        uint256 stepIndex,
        uint256 attempt,
        string calldata module,
        string calldata params
    ) external payable returns (uint256 jobId);

    /// @notice The Lilypad contract jobs are submitted to and answers are accepted from.
    /// @return The Lilypad contract's address.
    function lilypad() external view returns (address);

    /// @notice The registry allowed to submit jobs and told of their answers.
    /// @return The registry's address.
    function registry() external view returns (address);

    /// @notice The step attempt a Lilypad job was submitted for.
    /// @dev Reverts with UnknownJob.
    /// @param jobId The Lilypad job id.
    /// @return workflowId The workflow.
    /// @return stepIndex Position of the step in the workflow.
    /// @return attempt The attempt's number, from 1.
    function jobOf(uint256 jobId) external view returns (uint256 workflowId, uint256 stepIndex, uint256 attempt);
}
