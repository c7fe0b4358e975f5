// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title StepWord
/// @notice The mutable state of one step packed into 128 bits, two steps to a storage slot: the first
/// write to a slot costs 20,000 gas, so pairing halves that cost per step.
/// @dev Layout, low bits first: status u4 | attempts u4 | cidCodec u8 | satisfied u16 | dispatchedAt u40 |
/// jobId u56. `cidCodec` is the multicodec of a result CID stored compressed, 0 when stored as text.
/// `satisfied` counts dependencies with results. Lilypad numbers jobs with a counter; the mediator refuses
/// a job id wider than 56 bits.
library StepWord {
    uint256 internal constant MASK = (1 << 128) - 1;

    function status(uint256 word) internal pure returns (uint256) {
        return word & 0xf;
    }

    function attempts(uint256 word) internal pure returns (uint256) {
        return (word >> 4) & 0xf;
    }

    function cidCodec(uint256 word) internal pure returns (uint256) {
        return (word >> 8) & 0xff;
    }

    function satisfied(uint256 word) internal pure returns (uint256) {
        return (word >> 16) & 0xffff;
    }

    function dispatchedAt(uint256 word) internal pure returns (uint256) {
        return (word >> 32) & 0xffffffffff;
    }

    function jobId(uint256 word) internal pure returns (uint256) {
        return word >> 72;
    }

    function withStatus(uint256 word, uint256 value) internal pure returns (uint256) {
        return (word & ~uint256(0xf)) | value;
    }

    function withSatisfied(uint256 word, uint256 value) internal pure returns (uint256) {
        return (word & ~(uint256(0xffff) << 16)) | (value << 16);
    }

    function withCompletion(uint256 word, uint256 status_, uint256 codec) internal pure returns (uint256) {
        return (word & ~uint256(0xff0f)) | (codec << 8) | status_;
    }

    /// @notice The word of a step just dispatched as attempt `attempt` with job `job` at `timestamp`.
    function dispatched(uint256 word, uint256 status_, uint256 attempt, uint256 timestamp, uint256 job)
        internal
        pure
        returns (uint256)
    {
        return (job << 72) | (timestamp << 32) | (word & 0xffff0000) | (attempt << 4) | status_;
    }
}
