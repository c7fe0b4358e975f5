// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IJobMediator} from "../interfaces/IJobMediator.sol";
import {IWorkflowRegistry} from "../interfaces/IWorkflowRegistry.sol";
import {ILilypadV1} from "../interfaces/lilypad/ILilypadV1.sol";
import {ILilypadV1Caller} from "../interfaces/lilypad/ILilypadV1Caller.sol";

/// @title LilypadV1Mediator
/// @notice The registry's adapter to Lilypad v1 ("Modicum"): submits each step attempt as a Lilypad job and
/// is the only party Lilypad calls back. Only the configured Lilypad may deliver answers and only the
/// registry may submit jobs.
/// @dev Registry and mediator each hold the other's address as an immutable (no storage read per job), so
/// the deployer passes the registry's address before it exists: the address its next deployment will
/// get. The deploy script checks `registry().mediator() == this` afterwards.
contract LilypadV1Mediator is IJobMediator, ILilypadV1Caller {
    /// @dev Lilypad v1 reports a failed job as a "CID" with this prefix.
    bytes11 private constant FAILURE_PREFIX = "JOB_FAILED:";

    /// @dev The registry keeps job ids in 48 bits (StepWord); Lilypad counts jobs from 1.
    uint256 private constant MAX_JOB_ID = (1 << 48) - 1;

    ILilypadV1 private immutable _lilypad;
    IWorkflowRegistry private immutable _registry;

    /// @dev jobId => workflowId << 32 | stepIndex << 16 | attempt << 8 | 1 (the low bit marks a known job).
    mapping(uint256 jobId => uint256 route) private _jobs;

    /// @param lilypad_ The Lilypad v1 contract jobs go to and answers come from.
    /// @param registry_ The registry this mediator serves (deployed right after it).
    constructor(ILilypadV1 lilypad_, IWorkflowRegistry registry_) {
        _lilypad = lilypad_;
        _registry = registry_;
    }

    /// @inheritdoc IJobMediator
    function submitJob(
        uint256 workflowId,
        uint256 stepIndex,
        uint256 attempt,
        string calldata module,
        string calldata params
    ) external payable returns (uint256 jobId) {
        if (msg.sender != address(_registry)) revert NotRegistry(msg.sender);
        jobId = _lilypad.runModuleWithDefaultMediators{value: msg.value}(module, params);
        if (jobId > MAX_JOB_ID) revert JobIdTooLarge(jobId);
        if (_jobs[jobId] != 0) revert DuplicateJob(jobId);
        _jobs[jobId] = (workflowId << 32) | (stepIndex << 16) | (attempt << 8) | 1;
    }

    /// @inheritdoc ILilypadV1Caller
    /// @dev Reverts with NotLilypad or UnknownJob. Answers for finished workflows or old attempts are not
    /// errors: the registry records them as ignored.
    function receiveJobResults(uint256 jobId, string calldata cid) external {
        if (msg.sender != address(_lilypad)) revert NotLilypad(msg.sender);
        (uint256 workflowId, uint256 stepIndex, uint256 attempt) = jobOf(jobId);
        bytes calldata answer = bytes(cid);
        if (answer.length >= FAILURE_PREFIX.length && bytes11(answer[:11]) == FAILURE_PREFIX) {
            _registry.recordFailure(workflowId, stepIndex, attempt, string(answer[11:]));
        } else {
            _registry.recordResult(workflowId, stepIndex, attempt, cid);
        }
    }

    /// @inheritdoc IJobMediator
    function jobOf(uint256 jobId) public view returns (uint256 workflowId, uint256 stepIndex, uint256 attempt) {
        uint256 route = _jobs[jobId];
        if (route == 0) revert UnknownJob(jobId);
        return (route >> 32, (route >> 16) & 0xffff, (route >> 8) & 0xff);
    }

    /// @inheritdoc IJobMediator
    function lilypad() external view returns (address) {
        return address(_lilypad);
    }

    /// @inheritdoc IJobMediator
    function registry() external view returns (address) {
        return address(_registry);
    }
}
