// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title TransientLock
/// @notice The registry's reentrancy lock in transient storage (EIP-1153), as Uniswap v4's Lock: set on
/// entry, cleared on exit, and gone at the end of the transaction whatever happens.
library TransientLock {
    /// @dev keccak256("tinyhops.WorkflowRegistry.lock"): the lock's transient slot.
    bytes32 internal constant SLOT = 0x77d485c2e0249980740ffb279f8754af099cc5eb43b6b4cee55300ad2a6c2648;

    /// @notice Whether the lock is held.
    /// @return locked True while a guarded call is under way.
    function isLocked() internal view returns (bool locked) {
        assembly ("memory-safe") {
            locked := tload(SLOT)
        }
    }

    /// @notice Takes the lock.
    function lock() internal {
        assembly ("memory-safe") {
            tstore(SLOT, true)
        }
    }

    /// @notice Releases the lock.
    function unlock() internal {
        assembly ("memory-safe") {
            tstore(SLOT, false)
        }
    }
}
