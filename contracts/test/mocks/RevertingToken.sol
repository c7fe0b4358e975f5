// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title RevertingToken
/// @notice An ERC-20 whose `transfer`, `transferFrom` and `approve` revert while `reverting` is set (a
/// paused or blocklisting token).
contract RevertingToken is ERC20 {
    /// @notice Thrown by transfers and approvals while reverting.
    error TokenPaused();

    /// @notice Whether transfers and approvals currently revert.
    bool public reverting;

    constructor() ERC20("Reverts", "REV") {}

    /// @notice Mints `amount` to `to`; anyone may.
    /// @param to The recipient.
    /// @param amount Token units.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Switches reverting on or off; anyone may.
    /// @param on Whether to revert.
    function setReverting(bool on) external {
        reverting = on;
    }

    /// @inheritdoc ERC20
    function transfer(address to, uint256 value) public override returns (bool) {
        if (reverting) revert TokenPaused();
        return super.transfer(to, value);
    }

    /// @inheritdoc ERC20
    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (reverting) revert TokenPaused();
        return super.transferFrom(from, to, value);
    }

    /// @inheritdoc ERC20
    function approve(address spender, uint256 value) public override returns (bool) {
        if (reverting) revert TokenPaused();
        return super.approve(spender, value);
    }
}
