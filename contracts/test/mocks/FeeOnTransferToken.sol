// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FeeOnTransferToken
/// @notice An ERC-20 that burns 1% of every transfer between accounts: the recipient gets less than was
/// sent, as with fee-on-transfer tokens.
contract FeeOnTransferToken is ERC20 {
    constructor() ERC20("Fee on transfer", "FEE") {}

    /// @notice Mints `amount` to `to`; anyone may.
    /// @param to The recipient.
    /// @param amount Token units.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        uint256 fee = value / 100;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
