// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice The mutable state of one step packed into 128 bits, two steps to a storage slot: the first
/// write to a slot costs 20,000 gas, so pairing halves that cost per step.
/// @dev Bit layout, low bits first:
///   bits   0-3   status        u4   IWorkflowRegistry.StepStatus as stored (Pending .. Failed)
///   bits   4-7   attempts      u4   attempts dispatched so far (at most 1 + MAX_RETRIES)
///   bits   8-23  satisfied     u16  dependencies that have results
///   bits  24-63  dispatchedAt  u40  timestamp of the latest dispatch
///   bits  64-79  cidForm       u16  how the result CID is packed (CidCodec: FORM_V0 or a CIDv1 codec), 0 while none
///   bits  80-127 jobId         u48  Lilypad's id of the latest attempt's job (for a step served from the
///                                   result cache, with attempts 0: the job whose result it was served)
/// Lilypad numbers jobs with a counter; the registry refuses a job id wider than 48 bits (the step fails
/// with "bad job id"). The word of a step never written is zero: Pending, nothing satisfied.
type StepWord is uint256;

using StepWordLib for StepWord global;

/// @title StepWordLib
/// @notice Reads and writes the fields of a StepWord, and keeps step words two to a slot.
library StepWordLib {
    /// @dev The 128 bits a word may use.
    uint256 internal constant MASK = (1 << 128) - 1;

    /// @notice The widest job id a step word holds.
    uint256 internal constant MAX_JOB_ID = (1 << 48) - 1;

    /// @notice The word of step `index` of workflow `workflowId`; words are keyed workflowId << 16 |
    /// index >> 1, the low half holding the even index.
    /// @param words The registry's word slots.
    /// @param workflowId The workflow.
    /// @param index The step's position.
    /// @return The word.
    function load(mapping(uint256 => uint256) storage words, uint256 workflowId, uint256 index)
        internal
        view
        returns (StepWord)
    {
        return StepWord.wrap((words[(workflowId << 16) | (index >> 1)] >> ((index & 1) * 128)) & MASK);
    }

    /// @notice Stores `word` as the word of step `index` of workflow `workflowId`, keeping its slot's other half.
    /// @param words The registry's word slots.
    /// @param workflowId The workflow.
    /// @param index The step's position.
    /// @param word The new word.
    function store(mapping(uint256 => uint256) storage words, uint256 workflowId, uint256 index, StepWord word)
        internal
    {
        uint256 key = (workflowId << 16) | (index >> 1);
        uint256 shift = (index & 1) * 128;
        words[key] = (words[key] & ~(MASK << shift)) | (StepWord.unwrap(word) << shift);
    }

    function status(StepWord word) internal pure returns (uint256) {
        return StepWord.unwrap(word) & 0xf;
    }

    function attempts(StepWord word) internal pure returns (uint256) {
        return (StepWord.unwrap(word) >> 4) & 0xf;
    }

    function satisfied(StepWord word) internal pure returns (uint256) {
        return (StepWord.unwrap(word) >> 8) & 0xffff;
    }

    function dispatchedAt(StepWord word) internal pure returns (uint256) {
        return (StepWord.unwrap(word) >> 24) & 0xffffffffff;
    }

    function cidForm(StepWord word) internal pure returns (uint256) {
        return (StepWord.unwrap(word) >> 64) & 0xffff;
    }

    function jobId(StepWord word) internal pure returns (uint256) {
        return StepWord.unwrap(word) >> 80;
    }

    function withStatus(StepWord word, uint256 value) internal pure returns (StepWord) {
        return StepWord.wrap((StepWord.unwrap(word) & ~uint256(0xf)) | value);
    }

    function withSatisfied(StepWord word, uint256 value) internal pure returns (StepWord) {
        return StepWord.wrap((StepWord.unwrap(word) & ~(uint256(0xffff) << 8)) | (value << 8));
    }

    /// @notice The word of a step completed with a result packed as `form`.
    /// @param word The step's word before.
    /// @param status_ The final status (COMPLETED).
    /// @param form How the result's CID is packed (CidCodec).
    /// @return The new word.
    function withCompletion(StepWord word, uint256 status_, uint256 form) internal pure returns (StepWord) {
        return StepWord.wrap((StepWord.unwrap(word) & ~((uint256(0xffff) << 64) | 0xf)) | (form << 64) | status_);
    }

    /// @notice The word of a step completed, at its first dispatch, with a result from the cache.
    /// @param word The step's word before (its satisfied count is kept; attempts and dispatchedAt are 0).
    /// @param status_ The final status (COMPLETED).
    /// @param form How the result's CID is packed (CidCodec).
    /// @param job The job whose slot holds the result's digest.
    /// @return The new word.
    function servedFromCache(StepWord word, uint256 status_, uint256 form, uint256 job) internal pure returns (StepWord) {
        return StepWord.wrap((job << 80) | (form << 64) | (StepWord.unwrap(word) & 0xffff00) | status_);
    }

    /// @notice The word of a step just dispatched as attempt `attempt` with job `job` at `timestamp`.
    /// @param word The step's word before (its satisfied count is kept).
    /// @param status_ The new status (DISPATCHED, or FAILED for a dispatch that failed).
    /// @param attempt The attempt's number, from 1.
    /// @param timestamp When it was dispatched.
    /// @param job Lilypad's job id (0 when none was issued).
    /// @return The new word.
    function dispatched(StepWord word, uint256 status_, uint256 attempt, uint256 timestamp, uint256 job)
        internal
        pure
        returns (StepWord)
    {
        return StepWord.wrap((job << 80) | (timestamp << 24) | (StepWord.unwrap(word) & 0xffff00) | (attempt << 4) | status_);
    }
}
