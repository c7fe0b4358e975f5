// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {WorkflowRegistry} from "../WorkflowRegistry.sol";
import {IEtherEscrowRegistry} from "../interfaces/IEtherEscrowRegistry.sol";

/// @title EtherEscrow
/// @notice The registry's money in ether: deposits are msg.value, withdrawals are ether sent with a call,
/// and ether Lilypad sends back for a job is credited to that job's workflow.
abstract contract EtherEscrow is WorkflowRegistry, IEtherEscrowRegistry {
    /// @inheritdoc IEtherEscrowRegistry
    function submit(StepDefinition[] calldata steps) external payable nonReentrant returns (uint256 workflowId) {
        WorkflowOptions memory none;
        return _open(steps, msg.value, none, false);
    }

    /// @inheritdoc IEtherEscrowRegistry
    function submit(StepDefinition[] calldata steps, WorkflowOptions calldata options)
        external
        payable
        nonReentrant
        returns (uint256 workflowId)
    {
        if (msg.value < options.gasDeposit) revert GasDepositNotSent(options.gasDeposit, msg.value);
        return _open(steps, msg.value - options.gasDeposit, options, true);
    }

    /// @inheritdoc IEtherEscrowRegistry
    function fund(uint256 workflowId) external payable nonReentrant {
        _addFunds(workflowId, msg.value);
    }

    /// @inheritdoc IEtherEscrowRegistry
    function redrive(uint256 workflowId) external payable nonReentrant {
        _redrive(workflowId, msg.value);
    }

    /// @inheritdoc IEtherEscrowRegistry
    function receiveJobRefund(uint256 jobId) external payable nonReentrant {
        _creditJobRefund(jobId, msg.value);
    }

    /// @dev Ether sent with a plain call; a recipient that rejects it reverts the withdrawal (WithdrawFailed),
    /// leaving its balance credited.
    function _payOut(address to, uint256 amount) internal override {
        (bool paid,) = to.call{value: amount}("");
        if (!paid) revert WithdrawFailed(to, amount);
    }
}
