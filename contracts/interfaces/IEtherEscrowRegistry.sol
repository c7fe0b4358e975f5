// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IWorkflowRegistry} from "./IWorkflowRegistry.sol";

/// @title IEtherEscrowRegistry
/// @notice A workflow registry whose escrow is ether (Lilypad v1 pays jobs in ether): deposits are
/// msg.value, refunds and withdrawals are ether, and Lilypad may send a job's payment back.
interface IEtherEscrowRegistry is IWorkflowRegistry {
    /// @notice Stores, funds and starts a workflow; the caller becomes its owner.
    /// @dev Steps without dependencies are dispatched at once, up to MAX_DISPATCH_PER_DELIVERY of them; the
    /// rest are deferred (StepDeferred) for `advance`. Any value above the required deposit stays in escrow
    /// and is refunded when the workflow ends. If the owner has code when the workflow ends, the registry
    /// calls IWorkflowClient.onWorkflowFinished on it.
    /// Reverts with EmptyWorkflow, TooManySteps, DefinitionTooLarge, DuplicateStepId, ZeroCost, TooManyRetries,
    /// TimeoutTooLong, InvalidModule, DependencyNotEarlier, DependenciesNotAscending, TooManyDependencies,
    /// ParamsTooLong, MalformedParams, TooManyReferences or ReferenceNotADependency for
    /// an invalid definition; InsufficientDeposit if msg.value is below `requiredDeposit(steps)`;
    /// Reentered.
    /// @param steps The steps in topological order; `needs` and params references name positions in it.
    /// @return workflowId The new workflow's id; ids are issued sequentially from 1.
    function submit(StepDefinition[] calldata steps) external payable returns (uint256 workflowId);

    /// @notice Like `submit(steps)`, with a keeper budget and a gas deposit (IKeeperReimbursement), and runner
    /// mode if `options.runner`: msg.value is the step deposit plus `options.gasDeposit`, kept apart.
    /// @dev Reverts as `submit(steps)` does, with GasDepositNotSent if msg.value is below `options.gasDeposit`;
    /// InsufficientDeposit concerns what is left of msg.value for the steps.
    /// @param steps The steps in topological order.
    /// @param options The workflow's mode and keeper budget.
    /// @return workflowId The new workflow's id.
    function submit(StepDefinition[] calldata steps, WorkflowOptions calldata options)
        external
        payable
        returns (uint256 workflowId);

    /// @notice Adds msg.value to a workflow's escrow. Anyone may fund any workflow.
    /// @dev Whatever is unspent when the workflow ends is refunded to the owner, not to the funder.
    /// Reverts with UnknownWorkflow; WrongWorkflowStatus unless Running or Paused; Reentered.
    /// @param workflowId The workflow.
    function fund(uint256 workflowId) external payable;

    /// @notice Starts the next run of a Failed or Cancelled workflow, with msg.value as its escrow. Owner only.
    /// @dev Completed steps keep their results; every other step goes back into play with no attempts, its
    /// satisfied dependencies counted afresh, and those whose dependencies all have results are dispatched
    /// (up to MAX_DISPATCH_PER_DELIVERY; `advance` the rest). An answer to a job of an earlier run is
    /// ignored (ResultIgnored); ether sent back for one later is credited to the current run (as a deposit
    /// while it is live, to the owner once it has ended). A deferred client notification of the last run
    /// is made first. Emits WorkflowRedriven, then StepRedriven per step.
    /// Reverts with UnknownWorkflow; NotWorkflowOwner; WrongWorkflowStatus unless Failed or Cancelled;
    /// NothingToRedrive if every step already has its result;
    /// InsufficientDeposit if msg.value is below the sum of cost * (1 + retries) over the steps going back
    /// into play; DepositTooLarge; InsufficientGas; Reentered.
    /// @param workflowId The workflow.
    function redrive(uint256 workflowId) external payable;

    /// @notice Credits ether sent back for a job to the job's workflow: its escrow while it is live (the
    /// job's cost counts as spent no more), its owner's refundable balance once it has ended.
    /// @dev Anyone may send; ether for a job never routed here reverts with UnknownJob, so none is lost.
    /// Reverts with DepositTooLarge or Reentered.
    /// @param jobId The job the ether is for.
    function receiveJobRefund(uint256 jobId) external payable;
}
