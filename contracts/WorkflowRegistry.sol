// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IWorkflowRegistry} from "./interfaces/IWorkflowRegistry.sol";
import {IKeeperReimbursement} from "./interfaces/IKeeperReimbursement.sol";
import {IWorkflowClient} from "./interfaces/IWorkflowClient.sol";
import {
    MAX_DEPOSIT_WEI,
    MAX_DISPATCH_PER_DELIVERY,
    MAX_NOTIFY_PER_DELIVERY,
    MAX_PARAMS_BYTES,
    MAX_REFERENCES,
    MAX_RETRIES,
    MAX_STEPS
} from "./interfaces/WorkflowLimits.sol";
import {CidCodec} from "./libraries/CidCodec.sol";
import {DataContract} from "./libraries/DataContract.sol";
import {DefinitionStore} from "./libraries/DefinitionStore.sol";
import {StepWord, StepWordLib} from "./libraries/StepWord.sol";
import {TransientLock} from "./libraries/TransientLock.sol";
import {WorkflowDefinition} from "./libraries/WorkflowDefinition.sol";
import {WorkQueue} from "./libraries/WorkQueue.sol";
import {WorkflowStorage} from "./WorkflowStorage.sol";
import {WorkflowViews} from "./WorkflowViews.sol";
import {DefinitionBuilder} from "./DefinitionBuilder.sol";
import {WorkflowRedriver} from "./WorkflowRedriver.sol";

/// @title WorkflowRegistry
/// @notice Runs Tiny Hops workflows: a DAG of Lilypad jobs with its deposit. A step is submitted to Lilypad
/// as soon as all its dependencies have results; each result dispatches what became ready. The registry is
/// Lilypad's client itself: a backend contract per Lilypad version derives from this one, submits jobs
/// (`_submitJob`) and turns Lilypad's callback into `_recordResult` and `_recordFailure`.
/// @dev Where the gas goes, and why it stays bounded:
/// - the definition is immutable contract code, written once at submit (DefinitionStore);
/// - each step's mutable state is 128 bits, two steps to a slot (StepWord);
/// - each job has one slot: its route (workflow, step, attempt) while it is in flight, overwritten by the
///   result's digest when its step completes with it (so a result costs no fresh slot);
/// - a result marks at most MAX_NOTIFY_PER_DELIVERY dependents and dispatches at most
///   MAX_DISPATCH_PER_DELIVERY steps; the rest is queued in a work queue that `advance` (permissionless),
///   later results and `resume` drain (WorkQueue: 32-bit entries, eight to a slot).
/// Money: a workflow's `deposited - spent` is its escrow. Submit requires enough for every attempt of every
/// step, so a dispatch never lacks funds. When a workflow ends, its escrow moves to its owner's
/// refundable balance, paid out by `withdraw`.
abstract contract WorkflowRegistry is IWorkflowRegistry, WorkflowStorage {
    /// @dev Gas given to an owner contract's `onWorkflowFinished`: enough to record the news and emit an
    /// event, too little to make a finishing transaction expensive.
    uint256 internal constant CLIENT_NOTIFICATION_GAS = 50_000;

    /// @dev Gas a dispatch needs before Lilypad's call, at least: reading the definition and resolving
    /// params (more for long params or many references). Only a cheap early check: the guarantee itself is
    /// made at the call site, once the params are resolved (`_dispatch`).
    uint256 private constant DISPATCH_OVERHEAD_GAS = 80_000;

    /// @dev Gas the registry's own work after Lilypad's call needs: storing the job's route, the step's
    /// state and the workflow's counters, and StepDispatched, plus AFTER_CALL_GAS_PER_BYTE for each byte
    /// of its params.
    uint256 private constant AFTER_CALL_GAS = 70_000;
    uint256 private constant AFTER_CALL_GAS_PER_BYTE = 16;

    /// @dev An upper bound of what resolving one reference costs (two cold reads and rebuilding the CID
    /// text, about 15,000 measured), for `dispatchGas`.
    uint256 private constant RESOLVE_GAS_PER_REFERENCE = 25_000;

    /// @dev Gas a result's completion must have left to fill the cache (re-reading and resolving the step's
    /// params, one fresh slot, ResultCached), with room for what follows; with less, the result is recorded
    /// uncached, so a Lilypad callback is never made to fail by the cache.
    uint256 private constant CACHE_FILL_GAS = 100_000;

    /// @dev Failure reasons and ignored answers are kept in events to at most this many bytes.
    uint256 private constant MAX_REASON_BYTES = 256;

    /// @dev Gas kept for DefinitionBuilder's `settleKeeperCall`: a payment and a refund, each crediting a new
    /// account (two zero slots written, 22,100 each), the budget's slots, two events and the DELEGATECALL.
    uint256 private constant SETTLE_GAS = 80_000;

    /// @dev Transient slot set while a paid keeper call (`advance`, `expire`) of a workflow with a keeper
    /// budget runs: a workflow it ends keeps its gas deposit until the call has been paid (`_settleKeeperCall`).
    bytes32 private constant KEEPER_CALL = keccak256("tinyhops.WorkflowRegistry.keeperCall");

    /// @dev Inverts a call's selector: a view's call to itself (`_fromViews`) reaches the fallback with it.
    uint256 private constant VIEW_SELECTOR_MASK = 0xffffffff << 224;

    /// @dev StepExpired's `expiredBy` when an answer arrived after its attempt's deadline.
    address private constant EXPIRED_BY_DEADLINE = address(0);

    /// @dev StepFailed's reason when a job's answer was not a CID in an accepted form (CidCodec).
    string private constant NOT_A_CID = "result is not a CID";

    /// @dev StepFailed's reason for an expired attempt.
    string private constant EXPIRED = "expired";

    /// @dev StepFailed's reason when Lilypad took a job but returned an id that cannot be routed (zero,
    /// wider than StepWord keeps, or one already in use): Lilypad is broken, so the step is not retried.
    string private constant BAD_JOB_ID = "bad job id";

    /// @dev How much more work the current call may do, and what to do when too little gas is left to
    /// guarantee a dispatch its gas: revert (calls whose sender sets the gas limit, often by estimation,
    /// which must then find the limit that dispatches) or leave the step queued (Lilypad's callback, whose
    /// gas we do not choose: its result is recorded and `advance` dispatches later).
    struct Budget {
        uint256 notifies;
        uint256 dispatches;
        bool revertIfStarved;
    }

    /// @dev Gas every dispatch gives the call into Lilypad, exactly, set per deployment because it
    /// depends on the Lilypad. The call is made with this explicit amount, and only once the params are
    /// resolved and at least that much (plus what the registry needs after the call) is left; otherwise it
    /// is not attempted (see Budget). So no gas limit any caller chooses can fail someone's step: a
    /// dispatch that reverts did so with the same gas it always gets.
    uint256 private immutable _dispatchGas;

    /// @dev The views' code (WorkflowViews), run on this contract's state by delegatecall (`_fromViews`).
    address private immutable _views;

    /// @dev A submit's validation and definition writer (DefinitionBuilder), run here by delegatecall (`_open`).
    address private immutable _builder;

    /// @dev A redrive's checks, accounting and step reset (WorkflowRedriver), run here by delegatecall (`_redrive`).
    address private immutable _redriver;

    modifier nonReentrant() {
        _lock();
        _;
        TransientLock.unlock();
    }

    /// @notice Sets the gas every dispatch guarantees Lilypad's job submission, fixed for this deployment.
    /// @param dispatchGas Gas each dispatch guarantees Lilypad's job submission.
    constructor(uint256 dispatchGas) {
        _dispatchGas = dispatchGas;
        _views = address(new WorkflowViews());
        _builder = address(new DefinitionBuilder());
        _redriver = address(new WorkflowRedriver());
    }

    // ---------------------------------------------------------------- submitting and funding

    /// @dev Stores, funds (with `deposit`, already received by the escrow) and starts a workflow owned by
    /// msg.sender: the story of every escrow's `submit`. `budgeted` when submitted with `options` (a keeper
    /// budget, maybe runner mode); otherwise `options` is ignored and the workflow has no keeper account.
    function _open(StepDefinition[] calldata steps, uint256 deposit, WorkflowOptions memory options, bool budgeted)
        internal
        returns (uint256 workflowId)
    {
        workflowId = _build(deposit, options, budgeted);
        _checkSteps(steps);
        Workflow storage w = _workflows[workflowId];
        Budget memory budget = Budget(MAX_NOTIFY_PER_DELIVERY, MAX_DISPATCH_PER_DELIVERY, true);
        for (uint256 i; i < steps.length && w.status == WorkflowStatus.Running; ++i) {
            if (steps[i].needs.length == 0) _becameReady(workflowId, w, i, StepWord.wrap(0), _header(workflowId, w, i), budget);
        }
        // Only a root served from the result cache completes at submit: its dependents are queued, work them off.
        if (w.completed != 0) _drainQueue(workflowId, w, budget);
    }

    /// @dev Validates, stores and funds the submit's workflow as DefinitionBuilder's code (`build`), by
    /// DELEGATECALL with the submit's calldata itself (selector replaced; `options`, `budgeted`, `deposit` and
    /// the owner appended as eight words): the steps are not encoded again, and this code, run once per
    /// submit, is not the registry's (both submits share it). Bubbles up the builder's revert (the
    /// IWorkflowRegistry error naming the step, or the deposit's).
    function _build(uint256 deposit, WorkflowOptions memory options, bool budgeted)
        private
        returns (uint256 workflowId)
    {
        address builder = _builder;
        bytes4 selector = DefinitionBuilder.build.selector;
        assembly ("memory-safe") {
            let p := mload(0x40)
            let size := calldatasize()
            calldatacopy(p, 0, size)
            mstore(p, or(and(mload(p), not(shl(224, 0xffffffff))), selector))
            mcopy(add(p, size), options, 0xa0)
            mstore(add(p, add(size, 0xa0)), budgeted)
            mstore(add(p, add(size, 0xc0)), deposit)
            mstore(add(p, add(size, 0xe0)), caller())
            let ok := delegatecall(gas(), builder, p, add(size, 0x100), 0, 0)
            if iszero(ok) {
                returndatacopy(p, 0, returndatasize())
                revert(p, returndatasize())
            }
            returndatacopy(0, 0, 0x20)
            workflowId := mload(0)
        }
    }

    /// @dev Adds `amount`, already received by the escrow, to a live workflow's deposit.
    function _addFunds(uint256 workflowId, uint256 amount) internal {
        Workflow storage w = _live(workflowId);
        uint256 deposited = uint256(w.deposited) + amount;
        if (deposited > MAX_DEPOSIT_WEI) revert DepositTooLarge(deposited);
        w.deposited = uint96(deposited);
        emit WorkflowFunded(workflowId, msg.sender, amount);
    }

    /// @inheritdoc IKeeperReimbursement
    /// @dev DefinitionBuilder's code, run here by DELEGATECALL (`_fromBuilder`), which takes the lock itself.
    function fundGas(uint256) external payable {
        _fromBuilder();
    }

    /// @inheritdoc IKeeperReimbursement
    /// @dev DefinitionBuilder's code, run here by DELEGATECALL (`_fromBuilder`), which takes the lock itself.
    function withdrawGas() external returns (uint256 amount) {
        amount = 0;
        _fromBuilder();
    }

    /// @dev Runs the function being called as DefinitionBuilder's code on this contract's state (the keeper
    /// budget's rarely called parts, kept out of this contract's EIP-170 limit) and answers with what it
    /// returns, or bubbles up its revert. Never returns.
    function _fromBuilder() private {
        address builder = _builder;
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, 0, calldatasize())
            let ok := delegatecall(gas(), builder, p, calldatasize(), 0, 0)
            returndatacopy(p, 0, returndatasize())
            if iszero(ok) { revert(p, returndatasize()) }
            return(p, returndatasize())
        }
    }

    /// @dev A backend's own checks of a valid definition (Lilypad v2 requires a timeout on every step). The
    /// definition rules every backend shares are WorkflowDefinition's.
    // solhint-disable-next-line no-empty-blocks
    function _checkSteps(StepDefinition[] calldata steps) internal view virtual {}

    // ---------------------------------------------------------------- owner controls

    /// @inheritdoc IWorkflowRegistry
    function pause(uint256 workflowId) external nonReentrant {
        Workflow storage w = _owned(workflowId);
        if (w.status != WorkflowStatus.Running) revert WrongWorkflowStatus(workflowId, w.status);
        w.status = WorkflowStatus.Paused;
        emit WorkflowPaused(workflowId);
    }

    /// @inheritdoc IWorkflowRegistry
    function resume(uint256 workflowId) external nonReentrant {
        Workflow storage w = _owned(workflowId);
        if (w.status != WorkflowStatus.Paused) revert WrongWorkflowStatus(workflowId, w.status);
        w.status = WorkflowStatus.Running;
        emit WorkflowResumed(workflowId);
        _drainAndComplete(workflowId, w, Budget(MAX_NOTIFY_PER_DELIVERY, MAX_DISPATCH_PER_DELIVERY, true));
    }

    /// @inheritdoc IWorkflowRegistry
    function cancel(uint256 workflowId) external nonReentrant {
        Workflow storage w = _owned(workflowId);
        if (!_isLive(w.status)) revert WrongWorkflowStatus(workflowId, w.status);
        _finish(workflowId, w, WorkflowStatus.Cancelled, 0, false);
    }

    /// @dev Starts the next run of an ended, redrivable workflow owned by msg.sender with `topUp` (already
    /// received by the escrow) as its escrow: the story of every escrow's `redrive`. The last run's deferred
    /// client notification is made first, so that its owner contract hears of every run's end. The checks,
    /// the accounting and the step reset are WorkflowRedriver's (by DELEGATECALL); they queue the ready
    /// steps, which are then dispatched like a resume's.
    function _redrive(uint256 workflowId, uint256 topUp) internal {
        Workflow storage w = _owned(workflowId);
        // The ended run's gas deposit went back to the owner (GasRefunded) unless its owner contract's
        // notification is still due, which holds the refund back: then it was never refunded and carries into
        // the new run. A refunded one is still in the budget (an ended workflow's reads as refunded): clear it,
        // or the new run would pay keepers with ether the owner may already have withdrawn.
        if (w.clientNotificationDue) _notifyClient(workflowId, w, w.status, false);
        else if (_flags(w) & KEEPER_FLAG != 0) _keeperBudgets[workflowId].gasDeposit = 0;
        (bool ok, bytes memory failure) =
            _redriver.delegatecall(abi.encodeCall(WorkflowRedriver.redrive, (workflowId, topUp)));
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(failure, 0x20), mload(failure))
            }
        }
        _drainQueue(workflowId, w, Budget(MAX_NOTIFY_PER_DELIVERY, MAX_DISPATCH_PER_DELIVERY, true));
    }

    // ---------------------------------------------------------------- anyone: keeping workflows moving

    /// @inheritdoc IWorkflowRegistry
    function advance(uint256 workflowId, uint256 maxDispatches)
        external
        nonReentrant
        returns (uint256 dispatched)
    {
        uint256 gasAtStart = gasleft();
        Workflow storage w = _workflows[workflowId];
        bool budgeted = _beginKeeperCall(w);
        if (w.status != WorkflowStatus.Running) {
            if (w.status == WorkflowStatus.None) revert UnknownWorkflow(workflowId);
            if (w.clientNotificationDue) {
                _notifyClient(workflowId, w, w.status, false);
                if (budgeted) _settleKeeperCall(workflowId, w, gasAtStart, true);
                return 0;
            }
            revert WrongWorkflowStatus(workflowId, w.status);
        }
        // More than one dispatch per step and attempt can never be asked of the queue.
        if (maxDispatches > MAX_STEPS * (1 + MAX_RETRIES)) maxDispatches = MAX_STEPS * (1 + MAX_RETRIES);
        uint256 notifies = maxDispatches * MAX_NOTIFY_PER_DELIVERY;
        Budget memory budget = Budget(notifies, maxDispatches, true);
        uint256 head = w.queueHead;
        _drainAndComplete(workflowId, w, budget);
        dispatched = maxDispatches - budget.dispatches;
        // Work is what moved the workflow on: a dispatch, a dependent notified, a queue entry done, its end.
        // A call with nothing to do changes none of these and is paid nothing.
        if (budgeted) {
            bool worked = dispatched != 0 || budget.notifies != notifies || w.queueHead != head
                || w.status != WorkflowStatus.Running;
            _settleKeeperCall(workflowId, w, gasAtStart, worked);
        }
    }

    /// @inheritdoc IWorkflowRegistry
    function expire(uint256 workflowId, uint256 stepIndex) external nonReentrant {
        uint256 gasAtStart = gasleft();
        Workflow storage w = _live(workflowId);
        bool budgeted = _beginKeeperCall(w);
        if (stepIndex >= w.stepCount) revert UnknownStep(workflowId, stepIndex);
        StepWord word = _stepWord(workflowId, stepIndex);
        WorkflowDefinition.Header memory header = _header(workflowId, w, stepIndex);
        if (
            word.status() != DISPATCHED || header.timeout == 0
                || block.timestamp < word.dispatchedAt() + header.timeout
        ) revert StepNotExpirable(workflowId, stepIndex);
        emit StepExpired(workflowId, header.stepId, uint16(stepIndex), uint8(word.attempts()), msg.sender);
        _attemptFailed(workflowId, w, stepIndex, word, header, EXPIRED, Budget(0, 1, true));
        if (budgeted) _settleKeeperCall(workflowId, w, gasAtStart, true);
    }

    /// @inheritdoc IWorkflowRegistry
    function withdraw() external nonReentrant returns (uint256 amount) {
        amount = _refundable[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        _refundable[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        _payOut(msg.sender, amount);
    }

    /// @dev Sends `amount` of the escrow's asset to `to`, reverting (WithdrawFailed or the token's error) if
    /// it does not arrive.
    function _payOut(address to, uint256 amount) internal virtual;

    /// @dev Credits `amount` that Lilypad sent back for a job (already received by the escrow) to the job's
    /// workflow: its escrow while it is live, its owner's refundable balance once it has ended.
    function _creditJobRefund(uint256 jobId, uint256 amount) internal {
        (uint256 workflowId,,) = _verifiedRoute(jobId);
        Workflow storage w = _workflows[workflowId];
        // What came back for a job of this run is spent no more; anything beyond what was ever spent, and
        // all of what came back for a job of an earlier run (whose spending ended with it), counts as a
        // deposit of this run. Once the run has ended, refunded (deposited - spent) grows by exactly what
        // its owner is credited.
        uint256 spent = _routeRun(_jobSlots[jobId]) == w.run ? w.spent : 0;
        uint256 back = amount <= spent ? amount : spent;
        uint256 deposited = uint256(w.deposited) + (amount - back);
        if (deposited > MAX_DEPOSIT_WEI) revert DepositTooLarge(deposited);
        w.spent -= uint96(back);
        w.deposited = uint96(deposited);
        emit JobRefunded(jobId, workflowId, amount);
        if (!_isLive(w.status)) {
            address owner = _owner(w);
            _refundable[owner] += amount;
            emit Refunded(workflowId, owner, amount);
        }
    }

    // ---------------------------------------------------------------- Lilypad reporting answers (backends)

    /// @dev A job's result: completes its step and dispatches the steps it made ready, when it is a CID in
    /// an accepted form (CidCodec) for the attempt in flight, before its deadline. A non-CID fails the
    /// attempt (retried like a failure); an answer for anything else is ignored. Reverts only with
    /// UnknownJob (an id never issued here), so Lilypad's callback is never blocked by a workflow.
    function _recordResult(uint256 jobId, string calldata cid) internal {
        (uint256 workflowId, uint256 stepIndex, Workflow storage w, StepWord word, bool current) =
            _answeredAttempt(jobId, cid);
        if (!current) return;
        address definition = w.definition;
        WorkflowDefinition.Header memory header = DefinitionStore.header(_extraChunks, workflowId, definition, stepIndex);
        if (_pastDeadline(word, header)) return _expiredOnAnswer(jobId, workflowId, w, stepIndex, word, header, cid);
        (uint256 form, bytes32 digest) = CidCodec.compress(cid);
        if (form == 0) {
            return _attemptFailed(workflowId, w, stepIndex, word, header, NOT_A_CID, _callbackRetry(w));
        }
        _jobSlots[jobId] = uint256(digest); // the route is needed no more: the step is done
        _setStepWord(workflowId, stepIndex, word.withCompletion(COMPLETED, form));
        if (header.cacheable && gasleft() > CACHE_FILL_GAS) _fillCache(workflowId, w, stepIndex, header, jobId, form);
        uint256 completed = w.completed + 1;
        w.completed = uint16(completed);
        w.inFlight -= 1;
        emit StepCompleted(workflowId, header.stepId, uint16(stepIndex), uint8(word.attempts()), cid);

        if (uint256(DataContract.readWord(definition, 0)) & RUNNER_FLAG != 0) {
            // Runner mode: the result is recorded, all else (dependents, dispatches, the end) is the runner's.
            _push(workflowId, w, WorkQueue.notifyEntry(stepIndex, 0));
        } else if (completed == w.stepCount) {
            _finish(workflowId, w, WorkflowStatus.Completed, 0, true);
        } else if (w.status == WorkflowStatus.Running) {
            Budget memory budget = Budget(MAX_NOTIFY_PER_DELIVERY, MAX_DISPATCH_PER_DELIVERY, false);
            (bool done, uint256 next) = _notifyDependents(workflowId, w, header, 0, budget);
            if (!done) _push(workflowId, w, WorkQueue.notifyEntry(stepIndex, next));
            _drainQueue(workflowId, w, budget);
        } else {
            _push(workflowId, w, WorkQueue.notifyEntry(stepIndex, 0));
        }
    }

    /// @dev A job's failure, as Lilypad reported it: retries the step or fails the workflow, when it is for
    /// the attempt in flight and before its deadline; otherwise ignored. Reverts only with UnknownJob.
    function _recordFailure(uint256 jobId, string calldata reason) internal {
        (uint256 workflowId, uint256 stepIndex, Workflow storage w, StepWord word, bool current) =
            _answeredAttempt(jobId, reason);
        if (!current) return;
        WorkflowDefinition.Header memory header = _header(workflowId, w, stepIndex);
        if (_pastDeadline(word, header)) {
            return _expiredOnAnswer(jobId, workflowId, w, stepIndex, word, header, reason);
        }
        _attemptFailed(workflowId, w, stepIndex, word, header, _bounded(reason), _callbackRetry(w));
    }

    /// @dev Submits one attempt to Lilypad as a job paying at most `cost`, giving the call exactly `gas`.
    /// Returns whether Lilypad took it and the job id it returned; `_paidForLastJob` says what it was paid.
    function _submitJob(bytes memory module, string memory params, uint256 cost, uint256 gas)
        internal
        virtual
        returns (bool submitted, uint256 jobId);

    /// @dev What the job `_submitJob` just submitted at `cost` was paid: `cost` itself (Lilypad v1 takes the
    /// value sent) unless the backend says otherwise; never more than `cost`.
    function _paidForLastJob(uint256 cost) internal view virtual returns (uint256) {
        return cost;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IWorkflowRegistry
    function workflowCount() external view returns (uint256) {
        return _workflowCount;
    }

    /// @inheritdoc IWorkflowRegistry
    function refundableOf(address account) external view returns (uint256) {
        return _refundable[account];
    }

    /// @inheritdoc IKeeperReimbursement
    function gasBalanceOf(address account) external view returns (uint256) {
        return _gasBalances[account];
    }

    /// @inheritdoc IWorkflowRegistry
    function dispatchGas() external view returns (uint256 callGas, uint256 gasPerDispatch) {
        callGas = _dispatchGas;
        gasPerDispatch = _dispatchGas + _dispatchGas / 63 + DISPATCH_OVERHEAD_GAS + AFTER_CALL_GAS
            + MAX_REFERENCES * RESOLVE_GAS_PER_REFERENCE
            + AFTER_CALL_GAS_PER_BYTE * (MAX_PARAMS_BYTES + MAX_REFERENCES * CidCodec.MAX_CID_BYTES);
    }

    /// @inheritdoc IWorkflowRegistry
    /// @dev Here rather than in WorkflowViews: Lilypad's stand-ins ask it on chain.
    function jobInFlight(uint256 jobId) external view returns (bool) {
        uint256 route = _jobSlots[jobId];
        if (route & ROUTED == 0) return false;
        (uint256 workflowId, uint256 index, uint256 attempt) = _decodeRoute(route);
        Workflow storage w = _workflows[workflowId];
        if (!_isLive(w.status) || index >= w.stepCount) return false;
        StepWord word = _stepWord(workflowId, index);
        return word.status() == DISPATCHED && word.attempts() == attempt && word.jobId() == jobId
            && !_pastDeadline(word, _header(workflowId, w, index));
    }

    // The views below are WorkflowViews' code: `_fromViews` answers each with what it returns.

    /// @inheritdoc IWorkflowRegistry
    function jobOf(uint256) external view returns (uint256 workflowId, uint256 stepIndex, uint256 attempt) {
        (workflowId, stepIndex, attempt) = (0, 0, 0);
        _fromViews();
    }


    /// @inheritdoc IWorkflowRegistry
    function getWorkflow(uint256) external view returns (WorkflowSummary memory summary) {
        _fromViews();
        return summary;
    }

    /// @inheritdoc IKeeperReimbursement
    function keeperAccountOf(uint256) external view returns (KeeperAccount memory account) {
        _fromViews();
        return account;
    }

    /// @inheritdoc IWorkflowRegistry
    function getStep(uint256, uint256) external view returns (StepState memory state) {
        _fromViews();
        return state;
    }

    /// @inheritdoc IWorkflowRegistry
    function getSteps(uint256) external view returns (StepState[] memory states) {
        _fromViews();
        return states;
    }

    /// @inheritdoc IWorkflowRegistry
    function resultOf(uint256, uint64) external view returns (string memory cid) {
        _fromViews();
        return cid;
    }

    /// @inheritdoc IWorkflowRegistry
    function cachedResult(bytes32) external view returns (string memory cid, uint256 jobId) {
        (cid, jobId) = ("", 0);
        _fromViews();
    }

    /// @inheritdoc IWorkflowRegistry
    function stepIndexOf(uint256, uint64) external view returns (uint256 stepIndex) {
        stepIndex = 0;
        _fromViews();
    }

    /// @inheritdoc IWorkflowRegistry
    function requiredDeposit(StepDefinition[] calldata steps) external pure returns (uint256 required) {
        for (uint256 i; i < steps.length; ++i) {
            required += uint256(steps[i].cost) * (1 + uint256(steps[i].retries));
        }
    }

    /// @notice Runs the views' code (WorkflowViews) on this contract's state: only for this contract's own
    /// views, which reach it by a STATICCALL to themselves with the selector inverted (`_fromViews`).
    /// @dev Reverts with NotSelf for any other caller.
    fallback() external {
        if (msg.sender != address(this)) revert NotSelf(msg.sender);
        address views = _views;
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, 0, calldatasize())
            mstore(p, xor(mload(p), VIEW_SELECTOR_MASK))
            let ok := delegatecall(gas(), views, p, calldatasize(), 0, 0)
            returndatacopy(p, 0, returndatasize())
            if iszero(ok) { revert(p, returndatasize()) }
            return(p, returndatasize())
        }
    }

    /// @dev Answers the view being called with WorkflowViews' answer (or its revert): a STATICCALL to this
    /// contract with the selector inverted, which the fallback runs as WorkflowViews' code. Never returns.
    function _fromViews() private view {
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, 0, calldatasize())
            mstore(p, xor(mload(p), VIEW_SELECTOR_MASK))
            let ok := staticcall(gas(), address(), p, calldatasize(), 0, 0)
            returndatacopy(p, 0, returndatasize())
            if iszero(ok) { revert(p, returndatasize()) }
            return(p, returndatasize())
        }
    }

    // ---------------------------------------------------------------- the story's details

    /// @dev A step whose dependencies all have results: dispatch it now if the budget allows, else queue it.
    function _becameReady(
        uint256 workflowId,
        Workflow storage w,
        uint256 index,
        StepWord word,
        WorkflowDefinition.Header memory header,
        Budget memory budget
    ) private {
        WorkflowStatus status = w.status;
        if (!_isLive(status)) return; // an earlier dispatch in this call ended the workflow
        if (status == WorkflowStatus.Running && budget.dispatches > 0 && _hasDispatchGas(budget)) {
            if (_dispatch(workflowId, w, index, word, header, budget)) return;
        }
        _setStepWord(workflowId, index, word.withStatus(READY));
        _push(workflowId, w, WorkQueue.dispatchEntry(index));
        emit StepDeferred(workflowId, header.stepId, uint16(index));
    }

    /// @dev Pays and submits the next attempt of a step. Lilypad's call gets exactly `_dispatchGas`:
    /// it is made only once the params are resolved and enough gas is left for it and for what follows
    /// it. If not, the dispatch is not attempted: a call whose sender sets the gas reverts (InsufficientGas),
    /// Lilypad's callback leaves the step for `advance` (returns false; nothing has changed). A Lilypad
    /// that reverts with the gas it always gets, or returns a job id that cannot be routed, fails the step
    /// and the workflow.
    function _dispatch(
        uint256 workflowId,
        Workflow storage w,
        uint256 index,
        StepWord word,
        WorkflowDefinition.Header memory header,
        Budget memory budget
    ) private returns (bool started) {
        (bytes memory module, bytes memory template) = _moduleAndTemplate(workflowId, w, header);
        string memory params = _resolve(workflowId, template);
        if (header.cacheable && word.attempts() == 0) {
            bytes32 key = _cacheKey(module, params);
            uint256 cached = _resultCache[key];
            if (cached != 0) {
                _serveFromCache(workflowId, w, index, word, header, budget, key, cached);
                return true;
            }
        }
        uint256 needed = _dispatchGas + _dispatchGas / 63 + AFTER_CALL_GAS
            + AFTER_CALL_GAS_PER_BYTE * bytes(params).length;
        if (gasleft() < needed) {
            if (budget.revertIfStarved) revert InsufficientGas();
            return false;
        }
        --budget.dispatches;
        uint256 attempt = word.attempts() + 1;
        uint256 cost = header.cost;
        (uint256 spent, uint256 run) = _spentAndRun(w);
        string memory reason = "dispatch reverted";
        if (w.deposited - spent >= cost) {
            (bool submitted, uint256 jobId) = _submitJob(module, params, cost, _dispatchGas);
            if (submitted) {
                uint256 paid = _paidForLastJob(cost); // Lilypad has the payment, whatever it returned
                if (jobId != 0 && jobId <= StepWordLib.MAX_JOB_ID && _jobSlots[jobId] == 0) {
                    _jobSlots[jobId] =
                        (run << 96) | (workflowId << 32) | (index << 16) | (attempt << 8) | ROUTED;
                    _setStepWord(workflowId, index, word.dispatched(DISPATCHED, attempt, block.timestamp, jobId));
                    _paidAndInFlight(w, paid);
                    emit StepDispatched(
                        workflowId, header.stepId, jobId, uint16(index), uint8(attempt), paid, params
                    );
                    return true;
                }
                w.spent = uint96(spent + paid);
                reason = BAD_JOB_ID;
            }
        }
        StepWord failed = word.dispatched(FAILED, attempt, block.timestamp, 0);
        _setStepWord(workflowId, index, failed);
        emit StepFailed(workflowId, header.stepId, uint16(index), uint8(attempt), reason, false);
        _finish(workflowId, w, WorkflowStatus.Failed, header.stepId, !budget.revertIfStarved);
        return true;
    }

    /// @dev Completes a step, at its first dispatch, with the cached result `cached` (see `_resultCache`):
    /// nothing is paid, and its dependents are queued as a notify entry (drained by the caller's budget or
    /// by `advance`) rather than notified here, so that a run of cached steps never recurses.
    function _serveFromCache(
        uint256 workflowId,
        Workflow storage w,
        uint256 index,
        StepWord word,
        WorkflowDefinition.Header memory header,
        Budget memory budget,
        bytes32 key,
        uint256 cached
    ) private {
        --budget.dispatches;
        uint256 jobId = cached & StepWordLib.MAX_JOB_ID;
        StepWord served = word.servedFromCache(COMPLETED, cached >> 48, jobId);
        _setStepWord(workflowId, index, served);
        uint256 completed = w.completed + 1;
        w.completed = uint16(completed);
        emit StepServedFromCache(workflowId, header.stepId, uint16(index), key, jobId);
        emit StepCompleted(workflowId, header.stepId, uint16(index), 0, _result(served));
        if (completed == w.stepCount) _finish(workflowId, w, WorkflowStatus.Completed, 0, !budget.revertIfStarved);
        else _push(workflowId, w, WorkQueue.notifyEntry(index, 0));
    }

    /// @dev Fills the result cache for a cacheable step just completed by Lilypad with job `jobId`, unless
    /// its key already has a result: the first result accepted for a key stays (README, threat model).
    function _fillCache(
        uint256 workflowId,
        Workflow storage w,
        uint256 index,
        WorkflowDefinition.Header memory header,
        uint256 jobId,
        uint256 form
    ) private {
        (bytes memory module, bytes memory template) = _moduleAndTemplate(workflowId, w, header);
        bytes32 key = _cacheKey(module, _resolve(workflowId, template));
        if (_resultCache[key] != 0) return;
        _resultCache[key] = (form << 48) | jobId;
        emit ResultCached(key, workflowId, uint16(index), jobId);
    }

    /// @dev The cache key of a module and resolved params: keccak256(uint8(module length) ++ module ++ params).
    /// Module names are at most MAX_MODULE_BYTES (128) long, so one length byte keeps keys unambiguous.
    function _cacheKey(bytes memory module, string memory params) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(uint8(module.length), module, params));
    }

    /// @dev One attempt failed (Lilypad said so, or it expired). Retry while attempts remain, within `retry`
    /// (one dispatch, or none: the retry is queued).
    function _attemptFailed(
        uint256 workflowId,
        Workflow storage w,
        uint256 index,
        StepWord word,
        WorkflowDefinition.Header memory header,
        string memory reason,
        Budget memory retry
    ) private {
        w.inFlight -= 1;
        uint256 attempt = word.attempts();
        bool willRetry = attempt <= header.retries;
        emit StepFailed(workflowId, header.stepId, uint16(index), uint8(attempt), reason, willRetry);
        if (!willRetry) {
            _setStepWord(workflowId, index, word.withStatus(FAILED));
            _finish(workflowId, w, WorkflowStatus.Failed, header.stepId, !retry.revertIfStarved);
        } else {
            _becameReady(workflowId, w, index, word, header, retry);
        }
    }

    /// @dev A retry's budget in a Lilypad callback: one dispatch, none in runner mode (the runner's `advance`).
    function _callbackRetry(Workflow storage w) private view returns (Budget memory) {
        return Budget(0, _flags(w) & RUNNER_FLAG != 0 ? 0 : 1, false);
    }

    /// @dev Counts a new result towards each dependent of the step whose `header` this is, from child number
    /// `from` on, within the budget. Returns whether all were counted and, if not, the next child number.
    function _notifyDependents(
        uint256 workflowId,
        Workflow storage w,
        WorkflowDefinition.Header memory header,
        uint256 from,
        Budget memory budget
    ) private returns (bool done, uint256 next) {
        (uint16[] memory children, uint256 total) =
            DefinitionStore.children(_extraChunks, workflowId, w.definition, header, from, budget.notifies);
        for (next = from; next < total && _isLive(w.status); ++next) {
            if (budget.notifies == 0) return (false, next);
            --budget.notifies;
            uint256 child = children[next - from];
            StepWord word = _stepWord(workflowId, child);
            uint256 satisfied = word.satisfied() + 1;
            word = word.withSatisfied(satisfied);
            WorkflowDefinition.Header memory childHeader = _header(workflowId, w, child);
            if (satisfied == childHeader.needsCount) {
                _becameReady(workflowId, w, child, word, childHeader, budget);
            } else {
                _setStepWord(workflowId, child, word);
            }
        }
        return (true, next);
    }

    /// @dev Works through the queue in order until it is empty, the budget is spent or the workflow stops.
    function _drainQueue(uint256 workflowId, Workflow storage w, Budget memory budget) private {
        uint256 head = w.queueHead;
        while (head < w.queueTail && w.status == WorkflowStatus.Running) {
            uint256 entry = WorkQueue.at(_queue, workflowId, head);
            uint256 index = WorkQueue.stepOf(entry);
            if (WorkQueue.isNotify(entry)) {
                if (budget.notifies == 0) break;
                WorkflowDefinition.Header memory header = _header(workflowId, w, index);
                (bool done, uint256 next) = _notifyDependents(workflowId, w, header, WorkQueue.childOf(entry), budget);
                if (!done) {
                    WorkQueue.put(_queue, workflowId, head, WorkQueue.notifyEntry(index, next));
                    break;
                }
            } else {
                StepWord word = _stepWord(workflowId, index);
                if (word.status() == READY) {
                    if (budget.dispatches == 0 || !_hasDispatchGas(budget)) break;
                    if (!_dispatch(workflowId, w, index, word, _header(workflowId, w, index), budget)) break;
                }
            }
            ++head;
        }
        if (_isLive(w.status)) w.queueHead = uint24(head); // an ended workflow's queue was emptied
    }

    /// @dev Drains the queue for `advance` and `resume`, then ends a runner-mode workflow whose last result
    /// only queued its notification (Lilypad's callback leaves the end to the runner too).
    function _drainAndComplete(uint256 workflowId, Workflow storage w, Budget memory budget) private {
        _drainQueue(workflowId, w, budget);
        if (_isLive(w.status) && w.completed == w.stepCount && w.queueHead == w.queueTail) {
            _finish(workflowId, w, WorkflowStatus.Completed, 0, false);
        }
    }

    /// @dev Ends a workflow: nothing is in flight or queued any more (answers still on their way will be
    /// ignored), its escrow becomes the owner's to withdraw, and an owner contract is told (see
    /// `_notifyClient`; `deferIfStarved` for Lilypad's callbacks, whose gas the registry does not choose).
    function _finish(
        uint256 workflowId,
        Workflow storage w,
        WorkflowStatus status,
        uint64 failedStepId,
        bool deferIfStarved
    ) private {
        w.status = status;
        w.inFlight = 0;
        w.queueHead = w.queueTail;
        if (status == WorkflowStatus.Completed) emit WorkflowCompleted(workflowId);
        else if (status == WorkflowStatus.Failed) emit WorkflowFailed(workflowId, failedStepId);
        else emit WorkflowCancelled(workflowId);

        (address owner, uint256 flags) = _ownerAndFlags(w);
        // deposited and spent stay as they are: once the workflow has ended, their difference is what it
        // refunded (WorkflowSummary.refunded); only what Lilypad sends back still moves it (receiveJobRefund).
        uint256 refund = w.deposited - w.spent;
        if (refund > 0) {
            _refundable[owner] += refund;
            emit Refunded(workflowId, owner, refund);
        }
        if (owner.code.length != 0) _notifyClient(workflowId, w, status, deferIfStarved);
        if (flags & KEEPER_FLAG != 0 && !w.clientNotificationDue && !_inKeeperCall()) {
            _settle(workflowId, 0, false, true, owner);
        }
    }

    // ---------------------------------------------------------------- paying keepers

    /// @dev Starts measuring a keeper call when the workflow has a keeper budget: marks the call (KEEPER_CALL)
    /// so that a workflow it ends keeps its gas deposit until the call is paid.
    function _beginKeeperCall(Workflow storage w) private returns (bool budgeted) {
        budgeted = _flags(w) & KEEPER_FLAG != 0;
        if (budgeted) _setKeeperCall(1);
    }

    /// @dev Ends a keeper call: pays the caller if it did work, then refunds the gas deposit if the workflow has
    /// ended (and owes its owner contract no notification); DefinitionBuilder's `settleKeeperCall`.
    function _settleKeeperCall(uint256 workflowId, Workflow storage w, uint256 gasAtStart, bool worked) private {
        bool refunds = !_isLive(w.status) && !w.clientNotificationDue;
        if (worked || refunds) _settle(workflowId, gasAtStart, worked, refunds, _owner(w));
        _setKeeperCall(0);
    }

    /// @dev Runs DefinitionBuilder's `settleKeeperCall` on this contract's state by DELEGATECALL: the
    /// payment's code is not the registry's (EIP-170). It never reverts but for lack of gas, which bubbles up.
    function _settle(uint256 workflowId, uint256 gasAtStart, bool worked, bool refunds, address owner) private {
        // `gasAtStart` of 0 (a refund alone) makes no measurement, as none is paid. The payment's gas does not
        // depend on the price (a gas estimate, run at price 0, pays nothing and writes no new slot): it is
        // guaranteed here, so that an estimate covers it (InsufficientGas otherwise, as for a dispatch).
        if (gasleft() < SETTLE_GAS) revert InsufficientGas();
        address builder = _builder;
        bytes4 selector = DefinitionBuilder.settleKeeperCall.selector;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, selector)
            mstore(add(p, 0x04), workflowId)
            // Measured here: gasleft() in the DELEGATECALL would lack the 1/64 of the gas held back for this frame.
            mstore(add(p, 0x24), sub(gasAtStart, gas()))
            mstore(add(p, 0x44), worked)
            mstore(add(p, 0x64), refunds)
            mstore(add(p, 0x84), owner)
            if iszero(delegatecall(gas(), builder, p, 0xa4, 0, 0)) {
                returndatacopy(p, 0, returndatasize())
                revert(p, returndatasize())
            }
        }
    }

    function _setKeeperCall(uint256 value) private {
        bytes32 slot = KEEPER_CALL;
        assembly ("memory-safe") {
            tstore(slot, value)
        }
    }

    function _inKeeperCall() private view returns (bool inCall) {
        bytes32 slot = KEEPER_CALL;
        assembly ("memory-safe") {
            inCall := tload(slot)
        }
    }

    /// @dev Calls an owner contract's `onWorkflowFinished` with exactly CLIENT_NOTIFICATION_GAS. With too
    /// little gas left for that, reverts (InsufficientGas: the caller chose the gas limit) or, in a Lilypad
    /// callback, leaves it for `advance` so that the result is recorded whatever gas Lilypad gave.
    function _notifyClient(uint256 workflowId, Workflow storage w, WorkflowStatus status, bool deferIfStarved)
        private
    {
        address owner = _owner(w);
        // EIP-150 passes on at most 63/64 of what is left: make sure the client really gets its stipend.
        if (gasleft() < CLIENT_NOTIFICATION_GAS * 64 / 63 + 10_000) {
            if (!deferIfStarved) revert InsufficientGas();
            w.clientNotificationDue = true;
            emit ClientNotificationDeferred(workflowId, owner);
            return;
        }
        w.clientNotificationDue = false;
        // solhint-disable-next-line no-empty-blocks
        try IWorkflowClient(owner).onWorkflowFinished{gas: CLIENT_NOTIFICATION_GAS}(workflowId, status) {}
        catch {
            emit ClientNotificationFailed(workflowId, owner);
        }
    }

    function _push(uint256 workflowId, Workflow storage w, uint256 entry) private {
        uint256 position = w.queueTail;
        WorkQueue.put(_queue, workflowId, position, entry);
        w.queueTail = uint24(position + 1);
    }

    function _setStepWord(uint256 workflowId, uint256 index, StepWord word) private {
        StepWordLib.store(_stepWords, workflowId, index, word);
    }

    /// @dev Whether a dispatch started now can give Lilypad's call `_dispatchGas` (EIP-150 forwards at most
    /// 63/64 of what is left), with room for the registry's own work after the call. If not, the budget
    /// says whether to revert (InsufficientGas) or to leave the step queued.
    function _hasDispatchGas(Budget memory budget) private view returns (bool) {
        if (gasleft() >= _dispatchGas + _dispatchGas / 63 + DISPATCH_OVERHEAD_GAS) return true;
        if (budget.revertIfStarved) revert InsufficientGas();
        return false;
    }

    function _lock() private {
        if (TransientLock.isLocked()) revert Reentered();
        TransientLock.lock();
    }

    /// @dev The attempt a job's answer is for, and whether it is the attempt now in flight. An answer for
    /// anything else (an ended workflow, an expired or superseded attempt, a step that completed with this
    /// very job) is recorded as ignored, never reverted; a job id never issued reverts with UnknownJob.
    function _answeredAttempt(uint256 jobId, string calldata answer)
        private
        returns (uint256 workflowId, uint256 index, Workflow storage w, StepWord word, bool current)
    {
        uint256 route = _jobSlots[jobId];
        if (route == 0) revert UnknownJob(jobId);
        uint256 attempt;
        (workflowId, index, attempt) = _decodeRoute(route);
        w = _workflows[workflowId];
        // A live workflow's step whose word carries this job id, dispatched, is the job's own attempt: no
        // other step was ever dispatched with it (ids are routed once), whatever the slot holds now.
        if (route & ROUTED != 0 && _isLive(w.status) && index < w.stepCount) {
            word = _stepWord(workflowId, index);
            current = word.status() == DISPATCHED && word.attempts() == attempt && word.jobId() == jobId;
        }
        if (!current) {
            // A completed job's slot holds its digest, not a route: name no attempt for it.
            (, workflowId, index, attempt) = _knownRoute(jobId);
            emit ResultIgnored(jobId, workflowId, uint16(index), uint8(attempt), _bounded(answer));
        }
    }

    /// @dev An answer for an attempt past its deadline: the attempt expired whether or not anyone called
    /// `expire` first. The answer is ignored; the attempt fails as an expiry does (retried, or the end).
    function _expiredOnAnswer(
        uint256 jobId,
        uint256 workflowId,
        Workflow storage w,
        uint256 index,
        StepWord word,
        WorkflowDefinition.Header memory header,
        string calldata answer
    ) private {
        uint256 attempt = word.attempts();
        emit ResultIgnored(jobId, workflowId, uint16(index), uint8(attempt), _bounded(answer));
        emit StepExpired(workflowId, header.stepId, uint16(index), uint8(attempt), EXPIRED_BY_DEADLINE);
        _attemptFailed(workflowId, w, index, word, header, EXPIRED, _callbackRetry(w));
    }

    /// @dev At most MAX_REASON_BYTES of a text a job reported, for an event, cut before a UTF-8 sequence
    /// rather than inside one.
    function _bounded(string calldata text) private pure returns (string memory) {
        bytes calldata raw = bytes(text);
        if (raw.length <= MAX_REASON_BYTES) return text;
        uint256 end = MAX_REASON_BYTES;
        while (end > 0 && uint8(raw[end]) & 0xc0 == 0x80) --end;
        return string(raw[:end]);
    }

    function _live(uint256 workflowId) private view returns (Workflow storage w) {
        w = _existing(workflowId);
        if (!_isLive(w.status)) revert WrongWorkflowStatus(workflowId, w.status);
    }

    function _owned(uint256 workflowId) private view returns (Workflow storage w) {
        w = _existing(workflowId);
        if (msg.sender != _owner(w)) revert NotWorkflowOwner(workflowId, msg.sender);
    }
}
