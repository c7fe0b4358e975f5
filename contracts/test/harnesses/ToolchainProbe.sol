// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title ToolchainProbe
/// @notice Test-only contract for tests/test_toolchain.py: proves that the solc shim compiles and
/// that anvil runs the result, transient storage included.
contract ToolchainProbe {
    /// @notice Adds two numbers.
    /// @param a First addend.
    /// @param b Second addend.
    /// @return The sum.
    function add(uint256 a, uint256 b) external pure returns (uint256) {
        return a + b;
    }

    /// @notice Writes `x` to transient storage and reads it back (EIP-1153, needs evm_version cancun).
    /// @param x The value to store.
    /// @return y The value read back.
    function transientRoundTrip(uint256 x) external returns (uint256 y) {
        assembly {
            tstore(0, x)
            y := tload(0)
        }
    }
}
