// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IWorkflowRegistry} from "./interfaces/IWorkflowRegistry.sol";
import {IKeeperReimbursement} from "./interfaces/IKeeperReimbursement.sol";
import {DEFAULT_MAX_GAS_PRICE, DEFAULT_MAX_PAID_PER_CALL} from "./interfaces/WorkflowLimits.sol";
import {DefinitionStore} from "./libraries/DefinitionStore.sol";
import {CidCodec} from "./libraries/CidCodec.sol";
import {StepWord, StepWordLib} from "./libraries/StepWord.sol";
import {WorkflowDefinition} from "./libraries/WorkflowDefinition.sol";
import {WorkflowStorage} from "./WorkflowStorage.sol";

/// @title WorkflowViews
/// @notice The registry's read-only views, as code the registry runs on its own state: each backend
/// deploys one WorkflowViews in its constructor and answers every view of IWorkflowRegistry below by a
/// STATICCALL to itself that its fallback turns into a DELEGATECALL here (WorkflowRegistry._fromViews). So
/// the views' code does not count towards the registry's EIP-170 limit, and the registry's ABI is unchanged.
/// @dev Called directly, a view reads this contract's own storage, which is empty: it answers as a registry
/// with no workflows would. Nothing here writes state.
contract WorkflowViews is WorkflowStorage {
    /// @notice See IWorkflowRegistry.jobOf.
    /// @param jobId Lilypad's job id.
    /// @return workflowId The job's workflow.
    /// @return stepIndex Its step's position.
    /// @return attempt Its attempt's number.
    function jobOf(uint256 jobId) external view returns (uint256 workflowId, uint256 stepIndex, uint256 attempt) {
        return _verifiedRoute(jobId);
    }

    /// @notice See IWorkflowRegistry.getWorkflow.
    /// @param workflowId The workflow.
    /// @return summary Its summary.
    function getWorkflow(uint256 workflowId) external view returns (IWorkflowRegistry.WorkflowSummary memory summary) {
        Workflow storage w = _existing(workflowId);
        (address owner, uint256 createdAt) = DefinitionStore.ownerAndCreation(w.definition);
        bool live = _isLive(w.status);
        summary = IWorkflowRegistry.WorkflowSummary({
            owner: owner,
            status: w.status,
            balance: live ? w.deposited - w.spent : 0,
            spent: w.spent,
            stepCount: w.stepCount,
            completedCount: w.completed,
            inFlightCount: w.inFlight,
            queuedCount: uint16(w.queueTail - w.queueHead),
            createdAt: uint40(createdAt),
            refunded: live ? 0 : w.deposited - w.spent,
            run: w.run + 1
        });
    }

    /// @notice See IWorkflowRegistry.getStep.
    /// @param workflowId The workflow.
    /// @param stepIndex The step's position.
    /// @return state The step's state.
    function getStep(uint256 workflowId, uint256 stepIndex) public view returns (IWorkflowRegistry.StepState memory state) {
        Workflow storage w = _existing(workflowId);
        if (stepIndex >= w.stepCount) revert IWorkflowRegistry.UnknownStep(workflowId, stepIndex);
        WorkflowDefinition.Header memory header = _header(workflowId, w, stepIndex);
        StepWord word = _stepWord(workflowId, stepIndex);
        (bytes memory module, bytes memory template) = _moduleAndTemplate(workflowId, w, header);
        state.stepId = header.stepId;
        state.status = _finalStepStatus(w.status, word.status());
        state.attempts = uint8(word.attempts());
        state.dispatchedAt = uint40(word.dispatchedAt());
        state.jobId = word.jobId();
        state.module = string(module);
        state.cost = header.cost;
        state.timeout = header.timeout;
        state.retries = header.retries;
        if (word.attempts() > 0 || word.status() == COMPLETED) state.params = _resolve(workflowId, template);
        if (word.status() == COMPLETED) state.resultCid = _result(word);
    }

    /// @notice See IWorkflowRegistry.getSteps.
    /// @param workflowId The workflow.
    /// @return states Every step's state, in order.
    function getSteps(uint256 workflowId) external view returns (IWorkflowRegistry.StepState[] memory states) {
        uint256 count = _existing(workflowId).stepCount;
        states = new IWorkflowRegistry.StepState[](count);
        for (uint256 i; i < count; ++i) {
            states[i] = getStep(workflowId, i);
        }
    }

    /// @notice See IWorkflowRegistry.resultOf.
    /// @param workflowId The workflow.
    /// @param stepId The step's id.
    /// @return cid Its result CID, empty while it has none.
    function resultOf(uint256 workflowId, uint64 stepId) external view returns (string memory cid) {
        uint256 index = stepIndexOf(workflowId, stepId);
        StepWord word = _stepWord(workflowId, index);
        if (word.status() != COMPLETED) return "";
        return _result(word);
    }

    /// @notice See IWorkflowRegistry.cachedResult.
    /// @param key The cache key.
    /// @return cid The cached result CID, empty for none.
    /// @return jobId The job whose result it is, 0 for none.
    function cachedResult(bytes32 key) external view returns (string memory cid, uint256 jobId) {
        uint256 entry = _resultCache[key];
        if (entry == 0) return ("", 0);
        jobId = entry & StepWordLib.MAX_JOB_ID;
        cid = CidCodec.expand(entry >> 48, bytes32(_jobSlots[jobId]));
    }

    /// @notice See IWorkflowRegistry.stepIndexOf.
    /// @param workflowId The workflow.
    /// @param stepId The step's id.
    /// @return stepIndex Its position.
    function stepIndexOf(uint256 workflowId, uint64 stepId) public view returns (uint256 stepIndex) {
        Workflow storage w = _existing(workflowId);
        for (uint256 i; i < w.stepCount; ++i) {
            if (_header(workflowId, w, i).stepId == stepId) return i;
        }
        revert IWorkflowRegistry.UnknownStepId(workflowId, stepId);
    }

    /// @notice See IKeeperReimbursement.keeperAccountOf.
    /// @param workflowId The workflow.
    /// @return account Its keeper account, defaults resolved (all zero caps included for a plain submit's).
    function keeperAccountOf(uint256 workflowId) external view returns (IKeeperReimbursement.KeeperAccount memory account) {
        Workflow storage w = _existing(workflowId);
        KeeperBudget storage budget = _keeperBudgets[workflowId];
        bool live = _isLive(w.status);
        account.runner = _flags(w) & RUNNER_FLAG != 0;
        // Once ended, what is left was refunded, unless an owner notification is still due (it is paid first).
        bool refunded = !live && !w.clientNotificationDue;
        account.gasDeposit = refunded ? 0 : budget.gasDeposit;
        account.gasRefunded = refunded ? budget.gasDeposit : 0;
        account.gasPaid = budget.gasPaid;
        account.maxGasPrice = budget.maxGasPrice == 0 ? uint64(DEFAULT_MAX_GAS_PRICE) : budget.maxGasPrice;
        account.premium = budget.premium;
        account.maxPaidPerCall =
            budget.maxPaidPerCall == 0 ? uint64(DEFAULT_MAX_PAID_PER_CALL) : budget.maxPaidPerCall;
    }

    /// @dev What a step's status reads as: after a workflow failed or was cancelled, a step still in flight
    /// was cancelled (its answer will be ignored) and one that never got to run was skipped.
    function _finalStepStatus(IWorkflowRegistry.WorkflowStatus workflow, uint256 status)
        private
        pure
        returns (IWorkflowRegistry.StepStatus)
    {
        if (workflow == IWorkflowRegistry.WorkflowStatus.Failed || workflow == IWorkflowRegistry.WorkflowStatus.Cancelled) {
            if (status == DISPATCHED) return IWorkflowRegistry.StepStatus.Cancelled;
            if (status < DISPATCHED) return IWorkflowRegistry.StepStatus.Skipped;
        }
        return IWorkflowRegistry.StepStatus(status);
    }
}
