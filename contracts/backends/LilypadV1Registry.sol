// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {WorkflowRegistry} from "../WorkflowRegistry.sol";
import {EtherEscrow} from "../escrow/EtherEscrow.sol";
import {IWorkflowRegistry} from "../interfaces/IWorkflowRegistry.sol";
import {ILilypadV1} from "../interfaces/lilypad/ILilypadV1.sol";
import {ILilypadV1Caller} from "../interfaces/lilypad/ILilypadV1Caller.sol";

/// @title LilypadV1Registry
/// @notice The workflow registry on Lilypad v1 ("Modicum"): submits each step attempt with
/// `runModuleWithDefaultMediators`, paying the step's cost in ether, and is the client Lilypad calls back.
/// Only the configured Lilypad may deliver answers.
/// @dev The registry is Lilypad's client itself, with no adapter in between: one call per dispatch, and a
/// job's route kept in the slot its result later takes.
contract LilypadV1Registry is EtherEscrow, ILilypadV1Caller {
    /// @dev Lilypad v1 reports a failed job as a "CID" with this prefix.
    bytes11 private constant FAILURE_PREFIX = "JOB_FAILED:";

    ILilypadV1 private immutable _lilypad;

    /// @notice Binds the registry to one Lilypad v1 contract and the gas each dispatch gives it.
    /// @param lilypad_ The Lilypad v1 contract jobs go to and answers come from.
    /// @param dispatchGas Gas each dispatch gives Lilypad's `runModuleWithDefaultMediators`, exactly.
    constructor(ILilypadV1 lilypad_, uint256 dispatchGas) WorkflowRegistry(dispatchGas) {
        _lilypad = lilypad_;
    }

    /// @inheritdoc ILilypadV1Caller
    /// @dev Reverts with NotLilypad, UnknownJob or Reentered only. "JOB_FAILED:<reason>" fails the attempt;
    /// anything else is taken as its result (a non-CID fails it too). Answers for ended workflows, old
    /// attempts or completed jobs are not errors: they are recorded as ignored.
    function receiveJobResults(uint256 jobId, string calldata cid) external nonReentrant {
        if (msg.sender != address(_lilypad)) revert NotLilypad(msg.sender);
        bytes calldata answer = bytes(cid);
        if (answer.length >= FAILURE_PREFIX.length && bytes11(answer[:11]) == FAILURE_PREFIX) {
            _recordFailure(jobId, string(answer[11:]));
        } else {
            _recordResult(jobId, cid);
        }
    }

    /// @inheritdoc IWorkflowRegistry
    function lilypad() external view override returns (address) {
        return address(_lilypad);
    }

    /// @dev One value-carrying call; a revert (Lilypad refused the job) is reported, never bubbled up.
    function _submitJob(bytes memory module, string memory params, uint256 cost, uint256 gas)
        internal
        override
        returns (bool submitted, uint256 jobId)
    {
        try _lilypad.runModuleWithDefaultMediators{value: cost, gas: gas}(string(module), params) returns (
            uint256 id
        ) {
            return (true, id);
        } catch {
            return (false, 0);
        }
    }
}
