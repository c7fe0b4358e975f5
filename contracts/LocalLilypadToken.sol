// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title LocalLilypadToken
/// @notice The job creator's ERC-20 token on a development chain, standing in for LilypadToken: 18 decimals,
/// EIP-2612 permits (OpenZeppelin's ERC20 and ERC20Permit), minted by its deployer to local accounts.
contract LocalLilypadToken is ERC20, ERC20Permit {
    /// @notice Thrown when someone other than the deployer mints.
    /// @param caller The caller.
    error NotMinter(address caller);

    /// @notice Who may mint: the deployer.
    address public immutable minter;

    /// @notice Creates the token; the deployer may mint.
    constructor() ERC20("Lilypad Token (local)", "LP") ERC20Permit("Lilypad Token (local)") {
        minter = msg.sender;
    }

    /// @notice Mints `amount` to `to`. Deployer only.
    /// @param to The recipient.
    /// @param amount Token units.
    function mint(address to, uint256 amount) external {
        if (msg.sender != minter) revert NotMinter(msg.sender);
        _mint(to, amount);
    }
}
