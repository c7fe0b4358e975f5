// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {WorkflowRegistry} from "../WorkflowRegistry.sol";
import {ITokenEscrowRegistry} from "../interfaces/ITokenEscrowRegistry.sol";

/// @title TokenEscrow
/// @notice The registry's money in one ERC-20 token: deposits are pulled with `transferFrom` and count only
/// as what really arrived, withdrawals are `transfer`s, all through OpenZeppelin's SafeERC20 (a token that
/// returns false is a failure, one that returns nothing is accepted).
abstract contract TokenEscrow is WorkflowRegistry, ITokenEscrowRegistry {
    using SafeERC20 for IERC20;

    /// @dev The token every deposit, payment and refund is in.
    IERC20 internal immutable _token;

    /// @notice Binds the escrow to its token.
    /// @param token_ The ERC-20 token.
    constructor(IERC20 token_) {
        _token = token_;
    }

    /// @inheritdoc ITokenEscrowRegistry
    function submit(StepDefinition[] calldata steps, uint256 deposit)
        external
        nonReentrant
        returns (uint256 workflowId)
    {
        _pull(deposit);
        WorkflowOptions memory none;
        return _open(steps, deposit, none, false);
    }

    /// @inheritdoc ITokenEscrowRegistry
    function submit(StepDefinition[] calldata steps, uint256 deposit, WorkflowOptions calldata options)
        external
        payable
        nonReentrant
        returns (uint256 workflowId)
    {
        if (msg.value != options.gasDeposit) revert GasDepositNotSent(options.gasDeposit, msg.value);
        _pull(deposit);
        return _open(steps, deposit, options, true);
    }

    /// @inheritdoc ITokenEscrowRegistry
    function fund(uint256 workflowId, uint256 amount) external nonReentrant {
        _pull(amount);
        _addFunds(workflowId, amount);
    }

    /// @inheritdoc ITokenEscrowRegistry
    function redrive(uint256 workflowId, uint256 amount) external nonReentrant {
        _pull(amount);
        _redrive(workflowId, amount);
    }

    /// @dev Takes `amount` from the caller; reverts unless the registry's balance grew by exactly that.
    function _pull(uint256 amount) private {
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = _token.balanceOf(address(this)) - before;
        if (received != amount) revert DepositNotReceived(amount, received);
    }

    /// @dev A token transfer; a token that reverts or returns false reverts the withdrawal, leaving the
    /// balance credited.
    function _payOut(address to, uint256 amount) internal override {
        _token.safeTransfer(to, amount);
    }
}
