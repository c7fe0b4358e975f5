// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title StepWord
/// @notice The mutable state of one step packed into 128 bits, two steps to a storage slot: the first
/// write to a slot costs 20,000 gas, so pairing halves that cost per step.
/// @dev Layout, low bits first: status u4 | attempts u4 | satisfied u16 | dispatchedAt u40 | cidForm u16 |
/// jobId u48. `satisfied` counts dependencies with results. `cidForm` is how the result CID is packed
/// (CidCodec: FORM_V0 or a CIDv1 codec), 0 while there is none. Lilypad numbers jobs with a counter; the
/// registry refuses a job id wider than 48 bits (the step fails with "bad job id").
library StepWord {
    uint256 internal constant MASK = (1 << 128) - 1;

    /// @notice The widest job id a step word holds.
    uint256 internal constant MAX_JOB_ID = (1 << 48) - 1;

    function status(uint256 word) internal pure returns (uint256) {
        return word & 0xf;
    }

    function attempts(uint256 word) internal pure returns (uint256) {
        return (word >> 4) & 0xf;
    }

    function satisfied(uint256 word) internal pure returns (uint256) {
        return (word >> 8) & 0xffff;
    }

    function dispatchedAt(uint256 word) internal pure returns (uint256) {
        return (word >> 24) & 0xffffffffff;
    }

    function cidForm(uint256 word) internal pure returns (uint256) {
        return (word >> 64) & 0xffff;
    }

    function jobId(uint256 word) internal pure returns (uint256) {
        return word >> 80;
    }

    function withStatus(uint256 word, uint256 value) internal pure returns (uint256) {
        return (word & ~uint256(0xf)) | value;
    }

    function withSatisfied(uint256 word, uint256 value) internal pure returns (uint256) {
        return (word & ~(uint256(0xffff) << 8)) | (value << 8);
    }

    /// @notice The word of a step completed with a result packed as `form`.
    /// @param word The step's word before.
    /// @param status_ The final status (COMPLETED).
    /// @param form How the result's CID is packed (CidCodec).
    /// @return The new word.
    function withCompletion(uint256 word, uint256 status_, uint256 form) internal pure returns (uint256) {
        return (word & ~((uint256(0xffff) << 64) | 0xf)) | (form << 64) | status_;
    }

    /// @notice The word of a step just dispatched as attempt `attempt` with job `job` at `timestamp`.
    /// @param word The step's word before (its satisfied count is kept).
    /// @param status_ The new status (DISPATCHED, or FAILED for a dispatch that failed).
    /// @param attempt The attempt's number, from 1.
    /// @param timestamp When it was dispatched.
    /// @param job Lilypad's job id (0 when none was issued).
    /// @return The new word.
    function dispatched(uint256 word, uint256 status_, uint256 attempt, uint256 timestamp, uint256 job)
        internal
        pure
        returns (uint256)
    {
        return (job << 80) | (timestamp << 24) | (word & 0xffff00) | (attempt << 4) | status_;
    }
}
