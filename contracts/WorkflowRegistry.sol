// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IWorkflowRegistry} from "../interfaces/IWorkflowRegistry.sol";
import {IJobMediator} from "../interfaces/IJobMediator.sol";
import {IWorkflowClient} from "../interfaces/IWorkflowClient.sol";
import {
    MAX_DEPOSIT_WEI,
    MAX_DISPATCH_PER_DELIVERY,
    MAX_NOTIFY_PER_DELIVERY,
    MAX_RETRIES,
    MAX_STEPS
} from "../interfaces/WorkflowLimits.sol";
import {PARAMS_HEADER_BYTES, PARAMS_REFERENCE_FLAG, PARAMS_POSITION_MASK} from "../interfaces/ParamsEncoding.sol";
import {DataContract} from "./libraries/DataContract.sol";
import {StepWord} from "./libraries/StepWord.sol";
import {WorkflowDefinition} from "./libraries/WorkflowDefinition.sol";
import {ResultStore} from "./libraries/ResultStore.sol";

/// @title WorkflowRegistry
/// @notice Runs Tiny Hops workflows: a DAG of Lilypad jobs with its deposit. A step is dispatched through
/// the mediator as soon as all its dependencies have results; each result dispatches what became ready.
/// @dev Where the gas goes, and why it stays bounded:
/// - the definition is immutable contract code (DataContract), written once at submit;
/// - each step's mutable state is 128 bits, two steps to a slot (StepWord);
/// - a result marks at most MAX_NOTIFY_PER_DELIVERY dependents and dispatches at most
///   MAX_DISPATCH_PER_DELIVERY steps; the rest is queued in a work queue that `advance` (permissionless),
///   later results and `resume` drain. Queue entries are 32 bits, eight to a slot.
/// Money: a workflow's `deposited - spent` is its escrow. Submit requires enough for every attempt of every
/// step, so a dispatch never lacks funds. When a workflow ends, its escrow moves to its owner's
/// refundable balance, paid out by `withdraw`.
contract WorkflowRegistry is IWorkflowRegistry {
    using StepWord for uint256;

    /// @dev Gas given to an owner contract's `onWorkflowFinished`: enough to record the news and emit an
    /// event, too little to make a finishing transaction expensive.
    uint256 internal constant CLIENT_NOTIFICATION_GAS = 50_000;

    /// @dev Gas a dispatch needs besides the mediator's call: reading the definition, resolving params,
    /// storing the step's state and its event (about 40,000 measured; doubled for safety).
    uint256 private constant DISPATCH_OVERHEAD_GAS = 80_000;

    /// @dev Work queue entry: notify flag (bit 31) | step index (bits 16-30) | first child to notify (0-15).
    uint256 private constant NOTIFY = 1 << 31;

    /// @dev Transient-storage slot of the reentrancy lock (cleared at the end of every transaction).
    bytes32 private constant LOCK = keccak256("tinyhops.WorkflowRegistry.lock");

    uint256 private constant WAITING = uint256(StepStatus.Waiting);
    uint256 private constant READY = uint256(StepStatus.Ready);
    uint256 private constant DISPATCHED = uint256(StepStatus.Dispatched);
    uint256 private constant COMPLETED = uint256(StepStatus.Completed);
    uint256 private constant FAILED = uint256(StepStatus.Failed);

    /// @dev Three slots. The first changes with every dispatch and result; the second is read by every
    /// dispatch and result (where the definition is, whether the escrow covers a cost); the third only by
    /// owner actions and the finish.
    struct Workflow {
        WorkflowStatus status;
        uint16 stepCount;
        uint16 completed;
        uint16 inFlight;
        uint24 queueHead;
        uint24 queueTail;
        uint96 spent;
        uint40 createdAt;
        address definition;
        uint96 deposited;
        address owner;
        uint16 chunkCount;
    }

    /// @dev How much more work the current call may do, and what to do when too little gas is left to
    /// guarantee a dispatch its gas: revert (calls whose sender sets the gas limit, often by estimation,
    /// which must then find the limit that dispatches) or leave the step queued (Lilypad's callback, whose
    /// gas we do not choose: its result is recorded and `advance` dispatches later).
    struct Budget {
        uint256 notifies;
        uint256 dispatches;
        bool revertIfStarved;
    }

    IJobMediator private immutable _mediator;

    /// @dev Gas every dispatch guarantees the mediator's call into Lilypad, set per deployment because it
    /// depends on the Lilypad. With less gas left than that, a dispatch is not attempted (see Budget): a
    /// keeper or provider choosing a low gas limit cannot fail someone's workflow, even by starving a call
    /// nested inside Lilypad. A dispatch that reverts with at most 1/64 of its gas left reverts everything.
    uint256 private immutable _dispatchGas;

    /// @inheritdoc IWorkflowRegistry
    uint256 public workflowCount;

    /// @inheritdoc IWorkflowRegistry
    mapping(address account => uint256 amount) public refundableOf;

    mapping(uint256 workflowId => Workflow) private _workflows;
    /// @dev Data contracts of definition chunks after the first, keyed by workflowId << 16 | chunk.
    mapping(uint256 key => address) private _extraChunks;
    /// @dev Step words, keyed by workflowId << 16 | stepIndex >> 1; the low half holds the even index.
    mapping(uint256 key => uint256) private _stepWords;
    /// @dev Queue slots, keyed by workflowId << 24 | position >> 3.
    mapping(uint256 key => uint256) private _queue;
    ResultStore.Results private _results;

    modifier nonReentrant() {
        _lock();
        _;
        _setLock(0);
    }

    modifier onlyMediator() {
        if (msg.sender != address(_mediator)) revert NotMediator(msg.sender);
        _;
    }

    /// @param mediator_ The mediator that submits jobs to Lilypad and reports their answers.
    /// @param dispatchGas Gas each dispatch guarantees the mediator (and so Lilypad's job submission).
    constructor(IJobMediator mediator_, uint256 dispatchGas) {
        _mediator = mediator_;
        _dispatchGas = dispatchGas;
    }

    // ---------------------------------------------------------------- submitting and funding

    /// @inheritdoc IWorkflowRegistry
    function submit(StepDefinition[] calldata steps) external payable nonReentrant returns (uint256 workflowId) {
        workflowId = ++workflowCount;
        (bytes memory blob, uint256 required) = WorkflowDefinition.build(steps, workflowId);
        if (required > MAX_DEPOSIT_WEI) revert DepositTooLarge(required);
        if (msg.value < required) revert InsufficientDeposit(required, msg.value);
        if (msg.value > MAX_DEPOSIT_WEI) revert DepositTooLarge(msg.value);

        Workflow storage w = _workflows[workflowId];
        w.status = WorkflowStatus.Running;
        w.stepCount = uint16(steps.length);
        w.createdAt = uint40(block.timestamp);
        w.owner = msg.sender;
        w.deposited = uint96(msg.value);
        _storeDefinition(workflowId, w, blob);
        emit WorkflowSubmitted(workflowId, msg.sender, steps.length, msg.value, w.definition);

        Budget memory budget = Budget(0, MAX_DISPATCH_PER_DELIVERY, true);
        for (uint256 i; i < steps.length && w.status == WorkflowStatus.Running; ++i) {
            if (steps[i].needs.length == 0) _becameReady(workflowId, w, i, 0, budget);
        }
    }

    /// @inheritdoc IWorkflowRegistry
    function fund(uint256 workflowId) external payable nonReentrant {
        Workflow storage w = _live(workflowId);
        uint256 deposited = uint256(w.deposited) + msg.value;
        if (deposited > MAX_DEPOSIT_WEI) revert DepositTooLarge(deposited);
        w.deposited = uint96(deposited);
        emit WorkflowFunded(workflowId, msg.sender, msg.value);
    }

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
        _drainQueue(workflowId, w, Budget(MAX_NOTIFY_PER_DELIVERY, MAX_DISPATCH_PER_DELIVERY, true));
    }

    /// @inheritdoc IWorkflowRegistry
    function cancel(uint256 workflowId) external nonReentrant {
        Workflow storage w = _owned(workflowId);
        if (!_isLive(w.status)) revert WrongWorkflowStatus(workflowId, w.status);
        _finish(workflowId, w, WorkflowStatus.Cancelled, 0);
    }

    // ---------------------------------------------------------------- anyone: keeping workflows moving

    /// @inheritdoc IWorkflowRegistry
    function advance(uint256 workflowId, uint256 maxDispatches)
        external
        nonReentrant
        returns (uint256 dispatched)
    {
        Workflow storage w = _workflows[workflowId];
        if (w.status != WorkflowStatus.Running) {
            if (w.status == WorkflowStatus.None) revert UnknownWorkflow(workflowId);
            revert WrongWorkflowStatus(workflowId, w.status);
        }
        // More than one dispatch per step and attempt can never be asked of the queue.
        if (maxDispatches > MAX_STEPS * (1 + MAX_RETRIES)) maxDispatches = MAX_STEPS * (1 + MAX_RETRIES);
        Budget memory budget = Budget(maxDispatches * MAX_NOTIFY_PER_DELIVERY, maxDispatches, true);
        _drainQueue(workflowId, w, budget);
        return maxDispatches - budget.dispatches;
    }

    /// @inheritdoc IWorkflowRegistry
    function expire(uint256 workflowId, uint256 stepIndex) external nonReentrant {
        Workflow storage w = _live(workflowId);
        if (stepIndex >= w.stepCount) revert UnknownStep(workflowId, stepIndex);
        uint256 word = _stepWord(workflowId, stepIndex);
        WorkflowDefinition.Header memory header = _header(workflowId, w, stepIndex);
        if (
            word.status() != DISPATCHED || header.timeout == 0
                || block.timestamp < word.dispatchedAt() + header.timeout
        ) revert StepNotExpirable(workflowId, stepIndex);
        emit StepExpired(workflowId, header.stepId, uint16(stepIndex), uint8(word.attempts()), msg.sender);
        _attemptFailed(workflowId, w, stepIndex, word, header, "expired", true);
    }

    /// @inheritdoc IWorkflowRegistry
    function withdraw() external nonReentrant returns (uint256 amount) {
        amount = refundableOf[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        refundableOf[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        (bool paid,) = msg.sender.call{value: amount}("");
        if (!paid) revert WithdrawFailed(msg.sender, amount);
    }

    // ---------------------------------------------------------------- the mediator reporting answers

    /// @inheritdoc IWorkflowRegistry
    function recordResult(uint256 workflowId, uint256 stepIndex, uint256 attempt, string calldata cid)
        external
        onlyMediator
        nonReentrant
    {
        (Workflow storage w, uint256 word, bool current) = _answeredAttempt(workflowId, stepIndex, attempt, cid);
        if (!current) return;
        uint256 key = _stepKey(workflowId, stepIndex);
        uint256 codec = ResultStore.store(_results, key, cid);
        _setStepWord(workflowId, stepIndex, word.withCompletion(COMPLETED, codec));
        uint256 completed = w.completed + 1;
        w.completed = uint16(completed);
        w.inFlight -= 1;
        WorkflowDefinition.Header memory header = _header(workflowId, w, stepIndex);
        emit StepCompleted(workflowId, header.stepId, uint16(stepIndex), uint8(attempt), cid);

        if (completed == w.stepCount) {
            _finish(workflowId, w, WorkflowStatus.Completed, 0);
        } else if (w.status == WorkflowStatus.Running) {
            Budget memory budget = Budget(MAX_NOTIFY_PER_DELIVERY, MAX_DISPATCH_PER_DELIVERY, false);
            (bool done, uint256 next) = _notifyDependents(workflowId, w, stepIndex, header, 0, budget);
            if (!done) _push(workflowId, w, NOTIFY | (stepIndex << 16) | next);
            _drainQueue(workflowId, w, budget);
        } else {
            _push(workflowId, w, NOTIFY | (stepIndex << 16));
        }
    }

    /// @inheritdoc IWorkflowRegistry
    function recordFailure(uint256 workflowId, uint256 stepIndex, uint256 attempt, string calldata reason)
        external
        onlyMediator
        nonReentrant
    {
        (Workflow storage w, uint256 word, bool current) = _answeredAttempt(workflowId, stepIndex, attempt, reason);
        if (!current) return;
        _attemptFailed(workflowId, w, stepIndex, word, _header(workflowId, w, stepIndex), reason, false);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IWorkflowRegistry
    function mediator() external view returns (address) {
        return address(_mediator);
    }

    /// @inheritdoc IWorkflowRegistry
    function getWorkflow(uint256 workflowId) external view returns (WorkflowSummary memory summary) {
        Workflow storage w = _existing(workflowId);
        summary = WorkflowSummary({
            owner: w.owner,
            status: w.status,
            balance: w.deposited - w.spent,
            spent: w.spent,
            stepCount: w.stepCount,
            completedCount: w.completed,
            inFlightCount: w.inFlight,
            queuedCount: uint16(w.queueTail - w.queueHead),
            createdAt: w.createdAt
        });
    }

    /// @inheritdoc IWorkflowRegistry
    function getStep(uint256 workflowId, uint256 stepIndex) public view returns (StepState memory state) {
        Workflow storage w = _existing(workflowId);
        if (stepIndex >= w.stepCount) revert UnknownStep(workflowId, stepIndex);
        WorkflowDefinition.Header memory header = _header(workflowId, w, stepIndex);
        uint256 word = _stepWord(workflowId, stepIndex);
        (bytes memory module, bytes memory template) = _moduleAndTemplate(workflowId, w, header);
        state.stepId = header.stepId;
        state.status = StepStatus(word.status());
        state.attempts = uint8(word.attempts());
        state.dispatchedAt = uint40(word.dispatchedAt());
        state.jobId = word.jobId();
        state.module = string(module);
        state.cost = header.cost;
        state.timeout = header.timeout;
        state.retries = header.retries;
        if (word.attempts() > 0) state.params = _resolve(workflowId, template);
        if (word.status() == COMPLETED) {
            state.resultCid = ResultStore.load(_results, _stepKey(workflowId, stepIndex), word.cidCodec());
        }
    }

    /// @inheritdoc IWorkflowRegistry
    function getSteps(uint256 workflowId) external view returns (StepState[] memory states) {
        uint256 count = _existing(workflowId).stepCount;
        states = new StepState[](count);
        for (uint256 i; i < count; ++i) {
            states[i] = getStep(workflowId, i);
        }
    }

    /// @inheritdoc IWorkflowRegistry
    function resultOf(uint256 workflowId, uint64 stepId) external view returns (string memory cid) {
        Workflow storage w = _existing(workflowId);
        for (uint256 i; i < w.stepCount; ++i) {
            if (_header(workflowId, w, i).stepId == stepId) {
                uint256 word = _stepWord(workflowId, i);
                if (word.status() != COMPLETED) return "";
                return ResultStore.load(_results, _stepKey(workflowId, i), word.cidCodec());
            }
        }
        revert UnknownStepId(workflowId, stepId);
    }

    /// @inheritdoc IWorkflowRegistry
    function requiredDeposit(StepDefinition[] calldata steps) external pure returns (uint256 required) {
        for (uint256 i; i < steps.length; ++i) {
            required += uint256(steps[i].cost) * (1 + uint256(steps[i].retries));
        }
    }

    // ---------------------------------------------------------------- the story's details

    /// @dev A step whose dependencies all have results: dispatch it now if the budget allows, else queue it.
    function _becameReady(uint256 workflowId, Workflow storage w, uint256 index, uint256 word, Budget memory budget)
        private
    {
        if (!_isLive(w.status)) return; // an earlier dispatch in this call ended the workflow
        if (w.status == WorkflowStatus.Running && budget.dispatches > 0 && _hasDispatchGas(budget)) {
            --budget.dispatches;
            _dispatch(workflowId, w, index, word);
        } else {
            _setStepWord(workflowId, index, word.withStatus(READY));
            _push(workflowId, w, index << 16);
            emit StepDeferred(workflowId, _header(workflowId, w, index).stepId, uint16(index));
        }
    }

    /// @dev Pays and submits the next attempt of a step. A mediator that reverts fails the step and the
    /// workflow, unless the revert came from the caller starving it of gas, which reverts everything.
    function _dispatch(uint256 workflowId, Workflow storage w, uint256 index, uint256 word) private {
        WorkflowDefinition.Header memory header = _header(workflowId, w, index);
        (bytes memory module, bytes memory template) = _moduleAndTemplate(workflowId, w, header);
        string memory params = _resolve(workflowId, template);
        uint256 attempt = word.attempts() + 1;
        uint256 cost = header.cost;
        uint256 spent = w.spent;
        if (w.deposited - spent >= cost) {
            uint256 gasBefore = gasleft();
            try _mediator.submitJob{value: cost}(workflowId, index, attempt, string(module), params) returns (
                uint256 jobId
            ) {
                _setStepWord(workflowId, index, word.dispatched(DISPATCHED, attempt, block.timestamp, jobId));
                w.spent = uint96(spent + cost);
                w.inFlight += 1;
                emit StepDispatched(workflowId, header.stepId, jobId, uint16(index), uint8(attempt), cost, params);
                return;
            } catch {
                if (gasleft() <= gasBefore / 64) revert InsufficientGas();
            }
        }
        uint256 failed = word.dispatched(FAILED, attempt, block.timestamp, 0);
        _setStepWord(workflowId, index, failed);
        emit StepFailed(workflowId, header.stepId, uint16(index), uint8(attempt), "dispatch reverted", false);
        _finish(workflowId, w, WorkflowStatus.Failed, header.stepId);
    }

    /// @dev One attempt failed (Lilypad said so, or it expired). Retry while attempts remain.
    function _attemptFailed(
        uint256 workflowId,
        Workflow storage w,
        uint256 index,
        uint256 word,
        WorkflowDefinition.Header memory header,
        string memory reason,
        bool revertIfStarved
    ) private {
        w.inFlight -= 1;
        uint256 attempt = word.attempts();
        bool willRetry = attempt <= header.retries;
        emit StepFailed(workflowId, header.stepId, uint16(index), uint8(attempt), reason, willRetry);
        if (!willRetry) {
            _setStepWord(workflowId, index, word.withStatus(FAILED));
            _finish(workflowId, w, WorkflowStatus.Failed, header.stepId);
        } else {
            _becameReady(workflowId, w, index, word, Budget(0, 1, revertIfStarved));
        }
    }

    /// @dev Counts a new result towards each dependent of `index`, from child number `from` on, within the
    /// budget. Returns whether all were counted and, if not, the next child number.
    function _notifyDependents(
        uint256 workflowId,
        Workflow storage w,
        uint256 index,
        WorkflowDefinition.Header memory header,
        uint256 from,
        Budget memory budget
    ) private returns (bool done, uint256 next) {
        (uint16[] memory children, uint256 total) = _children(workflowId, w, header, from, budget.notifies);
        for (next = from; next < total && _isLive(w.status); ++next) {
            if (budget.notifies == 0) return (false, next);
            --budget.notifies;
            uint256 child = children[next - from];
            uint256 word = _stepWord(workflowId, child);
            uint256 satisfied = word.satisfied() + 1;
            word = word.withSatisfied(satisfied);
            if (satisfied == _header(workflowId, w, child).needsCount) {
                _becameReady(workflowId, w, child, word, budget);
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
            uint256 entry = _queueEntry(workflowId, head);
            uint256 index = (entry >> 16) & PARAMS_POSITION_MASK;
            if (entry & NOTIFY != 0) {
                if (budget.notifies == 0) break;
                WorkflowDefinition.Header memory header = _header(workflowId, w, index);
                (bool done, uint256 next) = _notifyDependents(workflowId, w, index, header, entry & 0xffff, budget);
                if (!done) {
                    _setQueueEntry(workflowId, head, NOTIFY | (index << 16) | next);
                    break;
                }
            } else {
                uint256 word = _stepWord(workflowId, index);
                if (word.status() == READY) {
                    if (budget.dispatches == 0 || !_hasDispatchGas(budget)) break;
                    --budget.dispatches;
                    _dispatch(workflowId, w, index, word);
                }
            }
            ++head;
        }
        w.queueHead = uint24(head);
    }

    /// @dev Ends a workflow: its escrow becomes the owner's to withdraw, and an owner contract is told.
    function _finish(uint256 workflowId, Workflow storage w, WorkflowStatus status, uint64 failedStepId) private {
        w.status = status;
        if (status == WorkflowStatus.Completed) emit WorkflowCompleted(workflowId);
        else if (status == WorkflowStatus.Failed) emit WorkflowFailed(workflowId, failedStepId);
        else emit WorkflowCancelled(workflowId);

        address owner = w.owner;
        uint256 refund = w.deposited - w.spent;
        if (refund > 0) {
            w.deposited = w.spent;
            refundableOf[owner] += refund;
            emit Refunded(workflowId, owner, refund);
        }
        if (owner.code.length == 0) return;
        // EIP-150 passes on at most 63/64 of what is left: make sure the client really gets its stipend.
        if (gasleft() < CLIENT_NOTIFICATION_GAS * 64 / 63 + 5_000) revert InsufficientGas();
        try IWorkflowClient(owner).onWorkflowFinished{gas: CLIENT_NOTIFICATION_GAS}(workflowId, status) {}
        catch {
            emit ClientNotificationFailed(workflowId, owner);
        }
    }

    /// @dev The params a step is dispatched with: its template with each reference's result CID in place.
    function _resolve(uint256 workflowId, bytes memory template) private view returns (string memory) {
        string[] memory pieces = new string[](template.length / PARAMS_HEADER_BYTES);
        uint256 pieceCount;
        uint256 length;
        uint256 offset;
        while (offset < template.length) {
            uint256 header = (uint256(uint8(template[offset])) << 8) | uint8(template[offset + 1]);
            offset += PARAMS_HEADER_BYTES;
            if (header & PARAMS_REFERENCE_FLAG != 0) {
                uint256 position = header & PARAMS_POSITION_MASK;
                uint256 key = _stepKey(workflowId, position);
                string memory cid = ResultStore.load(_results, key, _stepWord(workflowId, position).cidCodec());
                pieces[pieceCount++] = cid;
                length += bytes(cid).length;
            } else {
                length += header;
                offset += header;
            }
        }
        bytes memory out = new bytes(length);
        uint256 written;
        uint256 nextPiece;
        offset = 0;
        while (offset < template.length) {
            uint256 header = (uint256(uint8(template[offset])) << 8) | uint8(template[offset + 1]);
            offset += PARAMS_HEADER_BYTES;
            bytes memory piece;
            uint256 start;
            uint256 size;
            if (header & PARAMS_REFERENCE_FLAG != 0) {
                piece = bytes(pieces[nextPiece++]);
                size = piece.length;
            } else {
                piece = template;
                start = offset;
                size = header;
                offset += header;
            }
            assembly ("memory-safe") {
                mcopy(add(add(out, 0x20), written), add(add(piece, 0x20), start), size)
            }
            written += size;
        }
        return string(out);
    }

    function _storeDefinition(uint256 workflowId, Workflow storage w, bytes memory blob) private {
        uint256 chunks = (blob.length + DataContract.CHUNK_SIZE - 1) / DataContract.CHUNK_SIZE;
        for (uint256 k; k < chunks; ++k) {
            uint256 start = k * DataContract.CHUNK_SIZE;
            uint256 size = blob.length - start;
            if (size > DataContract.CHUNK_SIZE) size = DataContract.CHUNK_SIZE;
            address pointer = DataContract.write(blob, start, size);
            if (k == 0) w.definition = pointer;
            else _extraChunks[(workflowId << 16) | k] = pointer;
        }
        w.chunkCount = uint16(chunks);
    }

    function _header(uint256 workflowId, Workflow storage w, uint256 index)
        private
        view
        returns (WorkflowDefinition.Header memory)
    {
        uint256 offset = index * 32;
        address pointer = _chunk(workflowId, w, offset / DataContract.CHUNK_SIZE);
        return WorkflowDefinition.unpackHeader(DataContract.readWord(pointer, offset % DataContract.CHUNK_SIZE));
    }

    /// @dev Dependents number `from` to `from + most - 1` of a step (fewer at the end of its list), and
    /// how many it has in all: only the slice a call may process is read, whatever the fan-out.
    function _children(
        uint256 workflowId,
        Workflow storage w,
        WorkflowDefinition.Header memory header,
        uint256 from,
        uint256 most
    ) private view returns (uint16[] memory children, uint256 total) {
        (total,,) = _prefix(workflowId, w, header);
        uint256 count = from >= total ? 0 : total - from;
        if (count > most) count = most;
        uint256 start = header.recordOffset + WorkflowDefinition.RECORD_PREFIX + 2 * from;
        bytes memory raw = _read(workflowId, w, start, 2 * count);
        children = new uint16[](count);
        for (uint256 i; i < count; ++i) {
            children[i] = uint16((uint256(uint8(raw[2 * i])) << 8) | uint8(raw[2 * i + 1]));
        }
    }

    function _moduleAndTemplate(uint256 workflowId, Workflow storage w, WorkflowDefinition.Header memory header)
        private
        view
        returns (bytes memory module, bytes memory template)
    {
        (uint256 children, uint256 moduleLength, uint256 paramsLength) = _prefix(workflowId, w, header);
        uint256 start = header.recordOffset + WorkflowDefinition.RECORD_PREFIX + 2 * children;
        module = _read(workflowId, w, start, moduleLength);
        template = _read(workflowId, w, start + moduleLength, paramsLength);
    }

    function _prefix(uint256 workflowId, Workflow storage w, WorkflowDefinition.Header memory header)
        private
        view
        returns (uint256 children, uint256 moduleLength, uint256 paramsLength)
    {
        bytes memory raw = _read(workflowId, w, header.recordOffset, WorkflowDefinition.RECORD_PREFIX);
        return WorkflowDefinition.unpackPrefix(bytes32(raw));
    }

    function _read(uint256 workflowId, Workflow storage w, uint256 offset, uint256 length)
        private
        view
        returns (bytes memory out)
    {
        out = new bytes(length);
        uint256 copied;
        while (copied < length) {
            uint256 within = offset % DataContract.CHUNK_SIZE;
            uint256 take = DataContract.CHUNK_SIZE - within;
            if (take > length - copied) take = length - copied;
            address pointer = _chunk(workflowId, w, offset / DataContract.CHUNK_SIZE);
            DataContract.copy(pointer, within, out, copied, take);
            copied += take;
            offset += take;
        }
    }

    function _chunk(uint256 workflowId, Workflow storage w, uint256 chunk) private view returns (address) {
        return chunk == 0 ? w.definition : _extraChunks[(workflowId << 16) | chunk];
    }

    function _push(uint256 workflowId, Workflow storage w, uint256 entry) private {
        uint256 position = w.queueTail;
        _setQueueEntry(workflowId, position, entry);
        w.queueTail = uint24(position + 1);
    }

    function _queueEntry(uint256 workflowId, uint256 position) private view returns (uint256) {
        return (_queue[(workflowId << 24) | (position >> 3)] >> ((position & 7) * 32)) & 0xffffffff;
    }

    function _setQueueEntry(uint256 workflowId, uint256 position, uint256 entry) private {
        uint256 key = (workflowId << 24) | (position >> 3);
        uint256 shift = (position & 7) * 32;
        _queue[key] = (_queue[key] & ~(uint256(0xffffffff) << shift)) | (entry << shift);
    }

    function _stepKey(uint256 workflowId, uint256 index) private pure returns (uint256) {
        return (workflowId << 16) | index;
    }

    function _stepWord(uint256 workflowId, uint256 index) private view returns (uint256) {
        return (_stepWords[(workflowId << 16) | (index >> 1)] >> ((index & 1) * 128)) & StepWord.MASK;
    }

    function _setStepWord(uint256 workflowId, uint256 index, uint256 word) private {
        uint256 key = (workflowId << 16) | (index >> 1);
        uint256 shift = (index & 1) * 128;
        _stepWords[key] = (_stepWords[key] & ~(StepWord.MASK << shift)) | (word << shift);
    }

    /// @dev Whether a dispatch started now can give the mediator `_dispatchGas` (EIP-150 forwards at most
    /// 63/64 of what is left), with room for the registry's own work after the call. If not, the budget
    /// says whether to revert (InsufficientGas) or to leave the step queued.
    function _hasDispatchGas(Budget memory budget) private view returns (bool) {
        if (gasleft() >= _dispatchGas + _dispatchGas / 63 + DISPATCH_OVERHEAD_GAS) return true;
        if (budget.revertIfStarved) revert InsufficientGas();
        return false;
    }

    function _lock() private {
        bool locked;
        bytes32 slot = LOCK;
        assembly ("memory-safe") {
            locked := tload(slot)
        }
        if (locked) revert Reentered();
        _setLock(1);
    }

    function _setLock(uint256 value) private {
        bytes32 slot = LOCK;
        assembly ("memory-safe") {
            tstore(slot, value)
        }
    }

    /// @dev Whether an answer is for the attempt now in flight. Anything else (a finished workflow, an
    /// expired or superseded attempt, a bogus index) is recorded as ignored, never reverted.
    function _answeredAttempt(uint256 workflowId, uint256 index, uint256 attempt, string calldata answer)
        private
        returns (Workflow storage w, uint256 word, bool current)
    {
        w = _workflows[workflowId];
        word = _stepWord(workflowId, index);
        current = _isLive(w.status) && index < w.stepCount && word.status() == DISPATCHED && word.attempts() == attempt;
        if (!current) emit ResultIgnored(workflowId, uint16(index), uint8(attempt), answer);
    }

    function _isLive(WorkflowStatus status) private pure returns (bool) {
        return status == WorkflowStatus.Running || status == WorkflowStatus.Paused;
    }

    function _existing(uint256 workflowId) private view returns (Workflow storage w) {
        w = _workflows[workflowId];
        if (w.status == WorkflowStatus.None) revert UnknownWorkflow(workflowId);
    }

    function _live(uint256 workflowId) private view returns (Workflow storage w) {
        w = _existing(workflowId);
        if (!_isLive(w.status)) revert WrongWorkflowStatus(workflowId, w.status);
    }

    function _owned(uint256 workflowId) private view returns (Workflow storage w) {
        w = _existing(workflowId);
        if (msg.sender != w.owner) revert NotWorkflowOwner(workflowId, msg.sender);
    }
}
