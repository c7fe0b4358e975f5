// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IWorkflowRegistry} from "./interfaces/IWorkflowRegistry.sol";
import {MAX_DEPOSIT_WEI} from "./interfaces/WorkflowLimits.sol";
import {DefinitionStore} from "./libraries/DefinitionStore.sol";
import {StepWord, StepWordLib} from "./libraries/StepWord.sol";
import {WorkflowDefinition} from "./libraries/WorkflowDefinition.sol";
import {WorkQueue} from "./libraries/WorkQueue.sol";
import {WorkflowStorage} from "./WorkflowStorage.sol";

/// @title WorkflowRedriver
/// @notice A redrive's checks, accounting and step reset, as code the registry runs on its own state by
/// DELEGATECALL (WorkflowRegistry._redrive), so that its loop over the steps does not count towards the
/// registry's EIP-170 limit. Each registry deploys its own in its constructor.
/// @dev Called directly, it changes only its own storage, which holds no workflows: it reverts with
/// UnknownWorkflow.
contract WorkflowRedriver is WorkflowStorage {
    /// @notice Starts the next run of a Failed or Cancelled workflow with `topUp` as its whole escrow: every
    /// step without a result goes back into play with no attempts and its satisfied dependencies counted
    /// afresh (a notification still queued when the last run ended was dropped with its queue), and the
    /// ready ones are queued for the registry to dispatch. The caller (the registry) has checked the owner.
    /// @dev Reverts with WrongWorkflowStatus, NothingToRedrive, InsufficientDeposit or DepositTooLarge.
    /// Payable because a DELEGATECALL keeps the redrive's msg.value (an ether escrow's top-up): the value
    /// is the registry's.
    /// @param workflowId The workflow.
    /// @param topUp The new run's deposit, already received by the escrow.
    function redrive(uint256 workflowId, uint256 topUp) external payable {
        Workflow storage w = _existing(workflowId);
        IWorkflowRegistry.WorkflowStatus status = w.status;
        if (status != IWorkflowRegistry.WorkflowStatus.Failed && status != IWorkflowRegistry.WorkflowStatus.Cancelled) {
            revert IWorkflowRegistry.WrongWorkflowStatus(workflowId, status);
        }
        uint256 count = w.stepCount;
        if (w.completed == count) revert IWorkflowRegistry.NothingToRedrive(workflowId);
        uint16 run = w.run + 1;
        w.run = run;
        w.status = IWorkflowRegistry.WorkflowStatus.Running;
        emit IWorkflowRegistry.WorkflowRedriven(workflowId, run + 1, topUp, count - w.completed);

        // Steps are in topological order: by the time a step is reached, every dependency has been, and
        // each completed one has counted itself towards its dependents here.
        uint16[] memory satisfied = new uint16[](count);
        uint256 required;
        uint256 tail = w.queueTail;
        for (uint256 i; i < count; ++i) {
            WorkflowDefinition.Header memory header = _header(workflowId, w, i);
            if (_stepWord(workflowId, i).status() == COMPLETED) {
                (uint16[] memory children,) =
                    DefinitionStore.children(_extraChunks, workflowId, w.definition, header, 0, count);
                for (uint256 k; k < children.length; ++k) {
                    ++satisfied[children[k]];
                }
                continue;
            }
            required += uint256(header.cost) * (1 + uint256(header.retries));
            bool ready = satisfied[i] == header.needsCount;
            StepWord word = StepWord.wrap(0).withSatisfied(satisfied[i]);
            if (ready) {
                word = word.withStatus(READY);
                WorkQueue.put(_queue, workflowId, tail++, WorkQueue.dispatchEntry(i));
            }
            StepWordLib.store(_stepWords, workflowId, i, word);
            emit IWorkflowRegistry.StepRedriven(workflowId, header.stepId, uint16(i), ready);
        }
        w.queueTail = uint24(tail);

        if (required > MAX_DEPOSIT_WEI) revert IWorkflowRegistry.DepositTooLarge(required);
        if (topUp < required) revert IWorkflowRegistry.InsufficientDeposit(required, topUp);
        if (topUp > MAX_DEPOSIT_WEI) revert IWorkflowRegistry.DepositTooLarge(topUp);
        // What the last run left was refunded when it ended: this run's escrow is its own.
        w.deposited = uint96(topUp);
        w.spent = 0;
    }
}
