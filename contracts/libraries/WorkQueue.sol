// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title WorkQueue
/// @notice A workflow's queue of work left for later (steps to dispatch, dependents still to notify),
/// 32-bit entries, eight to a storage slot. The queue's head and tail live with the workflow; this library
/// owns the slots and the entries' layout.
/// @dev Slots are keyed workflowId << 24 | position >> 3; entry `position` is bits 32 * (position & 7) of
/// its slot. Entry layout: notify flag (bit 31) | step index (bits 16-30) | first child to notify (bits 0-15).
/// A dispatch entry has the flag clear and no child.
library WorkQueue {
    /// @dev An entry's flag for "notify the dependents of this step from child `child` on".
    uint256 internal constant NOTIFY = 1 << 31;

    /// @notice The entry at `position` of a workflow's queue.
    /// @param slots The registry's queue slots.
    /// @param workflowId The workflow.
    /// @param position The entry's position (from the queue's start, not its head).
    /// @return The entry.
    function at(mapping(uint256 => uint256) storage slots, uint256 workflowId, uint256 position)
        internal
        view
        returns (uint256)
    {
        return (slots[(workflowId << 24) | (position >> 3)] >> ((position & 7) * 32)) & 0xffffffff;
    }

    /// @notice Writes `entry` at `position` of a workflow's queue, keeping its slot's other entries.
    /// @param slots The registry's queue slots.
    /// @param workflowId The workflow.
    /// @param position The entry's position.
    /// @param entry The entry.
    function put(mapping(uint256 => uint256) storage slots, uint256 workflowId, uint256 position, uint256 entry)
        internal
    {
        uint256 key = (workflowId << 24) | (position >> 3);
        uint256 shift = (position & 7) * 32;
        slots[key] = (slots[key] & ~(uint256(0xffffffff) << shift)) | (entry << shift);
    }

    /// @notice The entry "dispatch step `index`".
    /// @param index The step.
    /// @return The entry.
    function dispatchEntry(uint256 index) internal pure returns (uint256) {
        return index << 16;
    }

    /// @notice The entry "notify the dependents of step `index`, from child number `child` on".
    /// @param index The step whose dependents to notify.
    /// @param child The first child still to notify.
    /// @return The entry.
    function notifyEntry(uint256 index, uint256 child) internal pure returns (uint256) {
        return NOTIFY | (index << 16) | child;
    }

    /// @notice Whether an entry is a notify entry (else a dispatch entry).
    /// @param entry The entry.
    /// @return Whether it notifies.
    function isNotify(uint256 entry) internal pure returns (bool) {
        return entry & NOTIFY != 0;
    }

    /// @notice The step an entry names.
    /// @param entry The entry.
    /// @return The step's position.
    function stepOf(uint256 entry) internal pure returns (uint256) {
        return (entry >> 16) & 0x7fff;
    }

    /// @notice The first child a notify entry has still to notify.
    /// @param entry The entry.
    /// @return The child's number in the step's list of dependents.
    function childOf(uint256 entry) internal pure returns (uint256) {
        return entry & 0xffff;
    }
}
