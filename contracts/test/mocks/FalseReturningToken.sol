// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FalseReturningToken
/// @notice An ERC-20 whose `transfer`, `transferFrom` and `approve` return false without doing anything
/// while `failing` is set, as some old tokens report failure instead of reverting.
contract FalseReturningToken is ERC20 {
    /// @notice Whether transfers and approvals currently fail by returning false.
    bool public failing;

    constructor() ERC20("Returns false", "FALSE") {}

    /// @notice Mints `amount` to `to`; anyone may.
    /// @param to The recipient.
    /// @param amount Token units.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Switches failing on or off; anyone may.
    /// @param on Whether to fail.
    function setFailing(bool on) external {
        failing = on;
    }

    /// @inheritdoc ERC20
    function transfer(address to, uint256 value) public override returns (bool) {
        return failing ? false : super.transfer(to, value);
    }

    /// @inheritdoc ERC20
    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        return failing ? false : super.transferFrom(from, to, value);
    }

    /// @inheritdoc ERC20
    function approve(address spender, uint256 value) public override returns (bool) {
        return failing ? false : super.approve(spender, value);
    }
}
