// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IKeeperReimbursement
/// @notice A workflow's keeper budget: whoever calls `advance` or `expire` on it and does work (dispatches,
/// notifies dependents, expires an attempt, makes a deferred owner notification) is paid back in ether from the
/// workflow's own gas deposit, the way Chainlink Automation bills upkeeps: the call's measured gas at no more
/// than the workflow's cap on the gas price, plus a flat premium, at most a cap per call and never more than the
/// gas deposit holds. The gas deposit is ether on every backend, kept apart from the step escrow (ether on
/// Lilypad v1, the job creator's token on v2): paying keepers never touches what the steps need. A call that does
/// no work is paid nothing. When the workflow ends, what is left of its gas deposit is credited to its owner.
/// Keepers and owners take their ether with `withdrawGas`.
/// @dev Runner mode (WorkflowOptions.runner): Lilypad's callback only records a result (and may complete the
/// workflow); the steps it made ready are left in the queue for an off-chain runner's `advance`, so that the
/// callback's gas is small and the same whatever the workflow's shape.
interface IKeeperReimbursement {
    /// @notice How a workflow runs and what its keepers are paid, chosen at submit.
    /// @param runner Lilypad's callback only records; dispatches wait for `advance` (an off-chain runner).
    /// @param maxGasPrice Highest gas price (wei) a keeper is paid at; 0 for DEFAULT_MAX_GAS_PRICE.
    /// @param premium Wei added to each paid call's gas cost, flat.
    /// @param maxPaidPerCall Most wei one call is paid, premium included; 0 for DEFAULT_MAX_PAID_PER_CALL.
    /// @param gasDeposit Wei of ether set aside to pay keepers, apart from the step escrow.
    struct WorkflowOptions {
        bool runner;
        uint64 maxGasPrice;
        uint64 premium;
        uint64 maxPaidPerCall;
        uint96 gasDeposit;
    }

    /// @notice A workflow's keeper budget and what became of its gas deposit. Every wei of ether put in for it
    /// (at submit and by `fundGas`) is in exactly one of gasDeposit, gasPaid and gasRefunded.
    /// @param runner Whether the workflow runs in runner mode.
    /// @param gasDeposit Wei still there to pay keepers (0 once the workflow ended and it was refunded).
    /// @param gasPaid Wei paid to keepers so far.
    /// @param gasRefunded Wei credited back to the owner when the workflow ended.
    /// @param maxGasPrice Highest gas price paid at, the default resolved.
    /// @param premium Flat wei per paid call.
    /// @param maxPaidPerCall Most wei per call, the default resolved.
    struct KeeperAccount {
        bool runner;
        uint96 gasDeposit;
        uint96 gasPaid;
        uint96 gasRefunded;
        uint64 maxGasPrice;
        uint64 premium;
        uint64 maxPaidPerCall;
    }

    /// @notice Thrown when the ether sent does not carry the gas deposit asked for: on an ether escrow less than
    /// `gasDeposit` was sent (the step deposit is the rest), on a token escrow msg.value differs from it.
    /// @param gasDeposit The gas deposit asked for.
    /// @param value The ether sent.
    error GasDepositNotSent(uint256 gasDeposit, uint256 value);

    /// @notice Thrown by `fundGas` for a workflow submitted without a keeper budget (plain `submit`).
    /// @param workflowId The workflow.
    error NoKeeperBudget(uint256 workflowId);

    /// @notice Emitted when ether was put into a workflow's gas deposit (at submit or by `fundGas`).
    /// @param workflowId The workflow.
    /// @param funder Who sent it.
    /// @param amount Wei added.
    event GasFunded(uint256 indexed workflowId, address indexed funder, uint256 amount);

    /// @notice Emitted when a keeper's call did work and it was paid from the workflow's gas deposit.
    /// @param workflowId The workflow.
    /// @param keeper The caller, credited.
    /// @param gasUsed The call's gas as measured, its fixed overhead included.
    /// @param amount Wei credited to the keeper's gas balance.
    event KeeperReimbursed(uint256 indexed workflowId, address indexed keeper, uint256 gasUsed, uint256 amount);

    /// @notice Emitted when a workflow ended and what was left of its gas deposit was credited to its owner.
    /// @param workflowId The workflow.
    /// @param owner Its owner, credited.
    /// @param amount Wei credited to the owner's gas balance.
    event GasRefunded(uint256 indexed workflowId, address indexed owner, uint256 amount);

    /// @notice Emitted when an account withdrew its gas balance.
    /// @param account The account, also the recipient.
    /// @param amount Wei sent.
    event GasWithdrawn(address indexed account, uint256 amount);

    /// @notice Adds msg.value to a live workflow's gas deposit. Anyone may add gas to any workflow with a keeper
    /// budget; what is left when it ends goes to the owner, not to the funder.
    /// @dev Reverts with UnknownWorkflow; WrongWorkflowStatus unless Running or Paused; NoKeeperBudget;
    /// DepositTooLarge; Reentered.
    /// @param workflowId The workflow.
    function fundGas(uint256 workflowId) external payable;

    /// @notice Sends the caller its gas balance (keeper payments and gas deposits refunded), in ether.
    /// @dev Reverts with NothingToWithdraw; WithdrawFailed if the transfer fails; Reentered.
    /// @return amount Wei sent.
    function withdrawGas() external returns (uint256 amount);

    /// @notice An account's gas balance: ether it may take with `withdrawGas`.
    /// @param account The account.
    /// @return Wei.
    function gasBalanceOf(address account) external view returns (uint256);

    /// @notice A workflow's keeper budget and gas deposit.
    /// @dev Reverts with UnknownWorkflow.
    /// @param workflowId The workflow.
    /// @return account Its keeper account, defaults resolved.
    function keeperAccountOf(uint256 workflowId) external view returns (KeeperAccount memory account);
}
