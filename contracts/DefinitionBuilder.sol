// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IWorkflowRegistry} from "./interfaces/IWorkflowRegistry.sol";
import {IKeeperReimbursement} from "./interfaces/IKeeperReimbursement.sol";
import {DefinitionStore} from "./libraries/DefinitionStore.sol";
import {DEFAULT_MAX_GAS_PRICE, DEFAULT_MAX_PAID_PER_CALL, MAX_DEPOSIT_WEI} from "./interfaces/WorkflowLimits.sol";
import {TransientLock} from "./libraries/TransientLock.sol";
import {WorkflowDefinition} from "./libraries/WorkflowDefinition.sol";
import {WorkflowStorage} from "./WorkflowStorage.sol";

/// @title DefinitionBuilder
/// @notice A submit's validation and the writing of its definition, as code the registry runs on its own
/// state by DELEGATECALL (WorkflowRegistry._open): every rule of WorkflowDefinition, then the definition's
/// data contracts (DefinitionStore). Each registry deploys its own in its constructor, so that this code,
/// run once per submit, does not count towards the registry's EIP-170 limit.
/// @dev Called directly, it writes its own storage and creates data contracts of its own: nothing of any
/// registry's.
contract DefinitionBuilder is WorkflowStorage {
    /// @dev Gas a paid keeper call spends that `gasleft()` cannot see, added to what it measures: the
    /// transaction's intrinsic gas (21,000) and calldata (about 350 for `advance` or `expire` with small
    /// arguments), the function's entry before its first measurement, and the payment's own bookkeeping after
    /// the last (the DELEGATECALL here, the budget's and the keeper's slots read and written, KeeperReimbursed,
    /// the way back). Measured
    /// (`ape run bench`: 11,100 short of the transactions' gas at 30,000, whatever the call did); see the README.
    uint256 private constant KEEPER_CALL_OVERHEAD_GAS = 41_000;

    /// @dev What writing a zero storage slot costs beyond an ordinary write (20,000 - 2,900): added when the
    /// payment or the refund is the first credit of an account's gas balance.
    uint256 private constant NEW_SLOT_GAS = 17_100;

    /// @dev A refund of the gas deposit at the end of a paid call, after its measurement: the owner's slot
    /// read and written, GasRefunded (NEW_SLOT_GAS more for an owner's first gas credit).
    uint256 private constant GAS_REFUND_GAS = 7_500;

    /// @notice Validates `steps`, stores their definition and opens the workflow (its state, its deposit, its
    /// keeper budget). Called by the registry's `_build` with the submit's own calldata (any `submit`
    /// overload: each one's first head word is the offset of `steps`, which is all this signature reads), the
    /// selector replaced and eight words appended: the WorkflowOptions (five), whether they apply, the step
    /// deposit already received, and the owner. So nothing is encoded again for the call.
    /// @dev Reverts with the IWorkflowRegistry error naming the first offending step (WorkflowDefinition),
    /// then DepositTooLarge or InsufficientDeposit. Payable because a DELEGATECALL keeps the submit's msg.value:
    /// the value is the registry's, never this contract's.
    /// @param steps The workflow in topological order.
    /// @return workflowId The new workflow's id.
    function build(IWorkflowRegistry.StepDefinition[] calldata steps) external payable returns (uint256 workflowId) {
        IKeeperReimbursement.WorkflowOptions memory options;
        bool budgeted;
        uint256 deposit;
        address owner;
        assembly ("memory-safe") {
            let tail := sub(calldatasize(), 0x100)
            calldatacopy(options, tail, 0xa0)
            budgeted := calldataload(add(tail, 0xa0))
            deposit := calldataload(add(tail, 0xc0))
            owner := calldataload(add(tail, 0xe0))
        }
        workflowId = ++_workflowCount;
        (bytes memory blob, uint256 required) = WorkflowDefinition.build(steps, workflowId, owner, block.timestamp);
        uint256 flags = budgeted ? KEEPER_FLAG | (options.runner ? RUNNER_FLAG : 0) : 0;
        assembly ("memory-safe") {
            let word := add(blob, 0x20)
            mstore(word, or(mload(word), flags))
        }
        address first = DefinitionStore.store(_extraChunks, workflowId, blob);
        if (required > MAX_DEPOSIT_WEI) revert IWorkflowRegistry.DepositTooLarge(required);
        if (deposit < required) revert IWorkflowRegistry.InsufficientDeposit(required, deposit);
        if (deposit > MAX_DEPOSIT_WEI) revert IWorkflowRegistry.DepositTooLarge(deposit);

        Workflow storage w = _workflows[workflowId];
        w.status = IWorkflowRegistry.WorkflowStatus.Running;
        w.stepCount = uint16(steps.length);
        w.deposited = uint96(deposit);
        w.definition = first;
        emit IWorkflowRegistry.WorkflowSubmitted(workflowId, owner, steps.length, deposit, first);
        if (budgeted) {
            _keeperBudgets[workflowId] =
                KeeperBudget(options.gasDeposit, 0, options.maxGasPrice, options.premium, options.maxPaidPerCall);
            if (options.gasDeposit > 0) emit IKeeperReimbursement.GasFunded(workflowId, owner, options.gasDeposit);
        }
    }

    /// @notice See IKeeperReimbursement.fundGas; run by the registry's `fundGas` by DELEGATECALL.
    /// @param workflowId The workflow.
    function fundGas(uint256 workflowId) external payable nonReentrant {
        Workflow storage w = _existing(workflowId);
        if (!_isLive(w.status)) revert IWorkflowRegistry.WrongWorkflowStatus(workflowId, w.status);
        if (_flags(w) & KEEPER_FLAG == 0) revert IKeeperReimbursement.NoKeeperBudget(workflowId);
        KeeperBudget storage budget = _keeperBudgets[workflowId];
        uint256 gasDeposit = uint256(budget.gasDeposit) + msg.value;
        if (gasDeposit > MAX_DEPOSIT_WEI) revert IWorkflowRegistry.DepositTooLarge(gasDeposit);
        budget.gasDeposit = uint96(gasDeposit);
        emit IKeeperReimbursement.GasFunded(workflowId, msg.sender, msg.value);
    }

    /// @notice See IKeeperReimbursement.withdrawGas; run by the registry's `withdrawGas` by DELEGATECALL.
    /// @return amount Wei sent.
    function withdrawGas() external nonReentrant returns (uint256 amount) {
        amount = _gasBalances[msg.sender];
        if (amount == 0) revert IWorkflowRegistry.NothingToWithdraw();
        _gasBalances[msg.sender] = 0;
        emit IKeeperReimbursement.GasWithdrawn(msg.sender, amount);
        (bool paid,) = msg.sender.call{value: amount}("");
        if (!paid) revert IWorkflowRegistry.WithdrawFailed(msg.sender, amount);
    }

    /// @notice Ends a keeper call (`advance`, `expire`) of a workflow with a keeper budget, run by the registry
    /// by DELEGATECALL: pays the caller if the call did work, then credits the owner with what is left of the
    /// gas deposit if the workflow has ended. The registry's `_finish` calls it with `worked` false to refund.
    /// @dev The payment: the call's gas so far plus what the registry's measurement cannot see, at the lower of
    /// tx.gasprice and the budget's cap, plus the premium; at most the cap per call and what the gas deposit
    /// holds. Only the gas deposit is touched, never the step escrow. Payable because a DELEGATECALL keeps
    /// msg.value: a `submit` whose workflow fails at once refunds its gas deposit from here.
    /// @param workflowId The workflow.
    /// @param gasSoFar The call's gas up to the DELEGATECALL, measured by the registry.
    /// @param worked Whether the call did work (is paid).
    /// @param refunds Whether the workflow has ended and its gas deposit is to be refunded.
    /// @param owner The workflow's owner.
    function settleKeeperCall(uint256 workflowId, uint256 gasSoFar, bool worked, bool refunds, address owner)
        external
        payable
    {
        KeeperBudget storage budget = _keeperBudgets[workflowId];
        uint256 gasDeposit = budget.gasDeposit;
        if (gasDeposit == 0) return;
        if (worked) {
            uint256 price = budget.maxGasPrice == 0 ? DEFAULT_MAX_GAS_PRICE : budget.maxGasPrice;
            if (tx.gasprice < price) price = tx.gasprice;
            uint256 cap = budget.maxPaidPerCall == 0 ? DEFAULT_MAX_PAID_PER_CALL : budget.maxPaidPerCall;
            uint256 balance = _gasBalances[msg.sender];
            uint256 gasUsed = gasSoFar + KEEPER_CALL_OVERHEAD_GAS + (balance == 0 ? NEW_SLOT_GAS : 0)
                + (refunds ? GAS_REFUND_GAS + (_gasBalances[owner] == 0 ? NEW_SLOT_GAS : 0) : 0);
            uint256 amount = gasUsed * price + budget.premium;
            if (amount > cap) amount = cap;
            if (amount > gasDeposit) amount = gasDeposit;
            gasDeposit -= amount;
            budget.gasDeposit = uint96(gasDeposit);
            budget.gasPaid += uint96(amount);
            _gasBalances[msg.sender] = balance + amount;
            emit IKeeperReimbursement.KeeperReimbursed(workflowId, msg.sender, gasUsed, amount);
        }
        // Once the workflow has ended, the budget's gasDeposit reads as refunded: it is not written.
        if (refunds && gasDeposit > 0) {
            _gasBalances[owner] += gasDeposit;
            emit IKeeperReimbursement.GasRefunded(workflowId, owner, gasDeposit);
        }
    }

    /// @dev The registry's reentrancy lock (the same transient slot: this code runs in the registry).
    modifier nonReentrant() {
        if (TransientLock.isLocked()) revert IWorkflowRegistry.Reentered();
        TransientLock.lock();
        _;
        TransientLock.unlock();
    }
}
