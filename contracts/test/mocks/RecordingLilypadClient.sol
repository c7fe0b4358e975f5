// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ILilypadV1} from "../../interfaces/lilypad/ILilypadV1.sol";
import {ILilypadV1Caller} from "../../interfaces/lilypad/ILilypadV1Caller.sol";

/// @title RecordingLilypadClient
/// @notice Test contract: the plainest Lilypad v1 client, which submits jobs and records the last answer. It
/// does not say which answers count, so the local stand-in treats it as Lilypad v1 would.
contract RecordingLilypadClient is ILilypadV1Caller {
    ILilypadV1 private immutable _lilypad;

    /// @notice The last answer delivered.
    string public lastAnswer;

    /// @notice Points the client at the Lilypad it submits to.
    /// @param lilypad_ The Lilypad to submit to.
    constructor(ILilypadV1 lilypad_) {
        _lilypad = lilypad_;
    }

    /// @notice Submits a job paying msg.value.
    /// @param module Module name and version.
    /// @param params The module's params.
    /// @return jobId The job id.
    function submit(string calldata module, string calldata params) external payable returns (uint256 jobId) {
        return _lilypad.runModuleWithDefaultMediators{value: msg.value}(module, params);
    }

    /// @inheritdoc ILilypadV1Caller
    function receiveJobResults(uint256, string calldata cid) external {
        lastAnswer = cid;
    }
}
