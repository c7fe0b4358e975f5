// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IWorkflowRegistry} from "./IWorkflowRegistry.sol";

/// @title ITokenEscrowRegistry
/// @notice A workflow registry whose escrow is one ERC-20 token (on Lilypad v2, the job creator's
/// `getTokenAddress()`, fixed at deployment): deposits are pulled from the caller with `transferFrom` (after
/// an `approve`), every attempt is paid from them, refunds and withdrawals are token transfers.
/// @dev A deposit counts only as what the registry's balance really grew by: a token that takes a fee on
/// transfer, returns false or reverts is refused (DepositNotReceived, or its own revert) and nothing moves.
interface ITokenEscrowRegistry is IWorkflowRegistry {
    /// @notice Thrown when pulling a deposit did not raise the registry's token balance by exactly its amount
    /// (a fee-on-transfer or otherwise dishonest token).
    /// @param expected The amount the caller deposited.
    /// @param received What the registry's balance grew by.
    error DepositNotReceived(uint256 expected, uint256 received);

    /// @notice Stores, funds and starts a workflow; the caller becomes its owner and pays `deposit` tokens.
    /// @dev Pulls `deposit` with `transferFrom(msg.sender, registry, deposit)`: approve the registry first.
    /// Steps without dependencies are dispatched at once, up to MAX_DISPATCH_PER_DELIVERY of them; the rest
    /// are deferred (StepDeferred) for `advance`. Anything above the required deposit stays in escrow and is
    /// refunded when the workflow ends. If the owner has code when the workflow ends, the registry calls
    /// IWorkflowClient.onWorkflowFinished on it.
    /// Reverts with EmptyWorkflow, TooManySteps, DefinitionTooLarge, DuplicateStepId, ZeroCost, TooManyRetries,
    /// TimeoutTooLong, InvalidModule, DependencyNotEarlier, DependenciesNotAscending, TooManyDependencies,
    /// ParamsTooLong, MalformedParams, TooManyReferences or ReferenceNotADependency for an invalid
    /// definition (and the backend's own, such as TimeoutRequired on Lilypad v2); InsufficientDeposit if `deposit` is below `requiredDeposit(steps)`; DepositTooLarge;
    /// DepositNotReceived; the token's own error if the transfer fails; Reentered.
    /// @param steps The steps in topological order; `needs` and params references name positions in it.
    /// @param deposit Token units to escrow.
    /// @return workflowId The new workflow's id; ids are issued sequentially from 1.
    function submit(StepDefinition[] calldata steps, uint256 deposit) external returns (uint256 workflowId);

    /// @notice Like `submit(steps, deposit)`, with a keeper budget and a gas deposit (IKeeperReimbursement), and
    /// runner mode if `options.runner`: the gas deposit is ether, msg.value, apart from the token escrow.
    /// @dev Reverts as `submit(steps, deposit)` does, with GasDepositNotSent unless msg.value equals
    /// `options.gasDeposit`.
    /// @param steps The steps in topological order.
    /// @param deposit Token units to escrow.
    /// @param options The workflow's mode and keeper budget.
    /// @return workflowId The new workflow's id.
    function submit(StepDefinition[] calldata steps, uint256 deposit, WorkflowOptions calldata options)
        external
        payable
        returns (uint256 workflowId);

    /// @notice Adds `amount` tokens, pulled from the caller, to a workflow's escrow. Anyone may fund any
    /// workflow.
    /// @dev Whatever is unspent when the workflow ends is refunded to the owner, not to the funder.
    /// Reverts with UnknownWorkflow; WrongWorkflowStatus unless Running or Paused; DepositTooLarge;
    /// DepositNotReceived; the token's own error if the transfer fails; Reentered.
    /// @param workflowId The workflow.
    /// @param amount Token units to add.
    function fund(uint256 workflowId, uint256 amount) external;

    /// @notice Starts the next run of a Failed or Cancelled workflow, with `amount` tokens, pulled from the
    /// caller, as its escrow. Owner only.
    /// @dev Pulls `amount` with `transferFrom` (approve the registry first). Completed steps keep their
    /// results; every other step goes back into play with no attempts, its satisfied dependencies counted
    /// afresh, and those whose dependencies all have results are dispatched (up to
    /// MAX_DISPATCH_PER_DELIVERY; `advance` the rest). An answer to a job of an earlier run is ignored
    /// (ResultIgnored). A deferred client notification of the last run is made first. Emits
    /// WorkflowRedriven, then StepRedriven per step.
    /// Reverts with UnknownWorkflow; NotWorkflowOwner; WrongWorkflowStatus unless Failed or Cancelled;
    /// NothingToRedrive if every step already has its result;
    /// InsufficientDeposit if `amount` is below the sum of cost * (1 + retries) over the steps going back
    /// into play; DepositTooLarge; DepositNotReceived; the token's own error; InsufficientGas; Reentered.
    /// @param workflowId The workflow.
    /// @param amount Token units to escrow for the new run.
    function redrive(uint256 workflowId, uint256 amount) external;
}
