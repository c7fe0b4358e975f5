// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IWorkflowRegistry} from "./interfaces/IWorkflowRegistry.sol";
import {CidCodec} from "./libraries/CidCodec.sol";
import {DataContract} from "./libraries/DataContract.sol";
import {DefinitionStore} from "./libraries/DefinitionStore.sol";
import {PARAMS_HEADER_BYTES} from "./interfaces/ParamsEncoding.sol";
import {ParamsTemplate} from "./libraries/ParamsTemplate.sol";
import {StepWord, StepWordLib} from "./libraries/StepWord.sol";
import {WorkflowDefinition} from "./libraries/WorkflowDefinition.sol";

/// @title WorkflowStorage
/// @notice The registry's state and how it is read: shared by the registry (WorkflowRegistry, which
/// changes it) and its views (WorkflowViews, whose code the registry runs on this same state by
/// delegatecall, so that the views' code does not count towards the registry's EIP-170 limit).
/// @dev The layout is declared here once; neither contract adds state of its own (immutables are code).
abstract contract WorkflowStorage {
    uint256 internal constant READY = uint256(IWorkflowRegistry.StepStatus.Ready);
    uint256 internal constant DISPATCHED = uint256(IWorkflowRegistry.StepStatus.Dispatched);
    uint256 internal constant COMPLETED = uint256(IWorkflowRegistry.StepStatus.Completed);
    uint256 internal constant FAILED = uint256(IWorkflowRegistry.StepStatus.Failed);

    /// @dev A job's route: run << 96 | workflowId << 32 | stepIndex << 16 | attempt << 8 | ROUTED, where run
    /// is the workflow's `run` counter at dispatch (a redrive starts attempts again from 1, so the attempt
    /// alone no longer tells an old job from the current one).
    uint256 internal constant ROUTED = 1;

    /// @dev Flags in the lowest byte of a definition's first word (WorkflowDefinition leaves its low 56 bits
    /// zero; DefinitionBuilder sets them), where the callback reads them for the price of a warm code read
    /// rather than a cold storage slot: runner mode, and whether the workflow has a keeper account at all.
    uint256 internal constant RUNNER_FLAG = 1;
    uint256 internal constant KEEPER_FLAG = 2;

    /// @dev Two slots. The first changes with every dispatch and result; the second is read by every
    /// dispatch and result (where the definition is, whether the escrow covers a cost). The owner and the
    /// submit's time never change: they are in the definition's first word (WorkflowDefinition).
    struct Workflow {
        IWorkflowRegistry.WorkflowStatus status;
        bool clientNotificationDue;
        uint16 stepCount;
        uint16 completed;
        uint16 inFlight;
        uint24 queueHead;
        uint24 queueTail;
        uint96 spent;
        // Redrives so far: the current run's number less one (0 for the run submit started, which so
        // writes nothing more). In slot one's last free bytes.
        uint16 run;
        address definition;
        uint96 deposited;
    }

    /// @dev A workflow's keeper budget as submitted (0 caps mean the defaults), two slots: the first is read and
    /// written by every paid call, the second only read. Once the workflow has ended, gasDeposit is what was
    /// refunded to its owner (as deposited - spent is for the escrow): nothing is written at the end.
    struct KeeperBudget {
        uint96 gasDeposit;
        uint96 gasPaid;
        uint64 maxGasPrice;
        uint64 premium;
        uint64 maxPaidPerCall;
    }

    /// @dev Workflows submitted so far; the last one's id.
    uint256 internal _workflowCount;
    /// @dev Per account: what it may withdraw.
    mapping(address account => uint256 amount) internal _refundable;
    mapping(uint256 workflowId => Workflow) internal _workflows;
    /// @dev Data contracts of definition chunks after the first, keyed by workflowId << 16 | chunk.
    mapping(uint256 key => address) internal _extraChunks;
    /// @dev Step words (StepWordLib.load: keyed by workflowId << 16 | stepIndex >> 1).
    mapping(uint256 key => uint256) internal _stepWords;
    /// @dev Queue slots (WorkQueue: keyed by workflowId << 24 | position >> 3).
    mapping(uint256 key => uint256) internal _queue;
    /// @dev Per job id: its route (see ROUTED) until its step completes with it, then the result's digest.
    mapping(uint256 jobId => uint256) internal _jobSlots;
    /// @dev Per workflow submitted with WorkflowOptions (KEEPER_FLAG): its keeper budget and gas deposit.
    mapping(uint256 workflowId => KeeperBudget) internal _keeperBudgets;
    /// @dev Per account: ether it may take with `withdrawGas` (keeper payments, gas deposits refunded).
    mapping(address account => uint256 amount) internal _gasBalances;

    /// @dev The result cache, per key (keccak256 of the module name's length as a byte, its bytes and the
    /// resolved params): CidCodec's form << 48 | the job id whose slot holds the result's digest, 0 for none.
    /// A completed job's slot keeps its digest for good, so one word per entry is all the cache needs.
    mapping(bytes32 key => uint256) internal _resultCache;

    /// @dev `spent` and `run` in one read of the workflow's first slot (a dispatch needs both; two field reads
    /// cost a second SLOAD). Bit offsets follow the struct above: 14 bytes of counters, then spent (uint96),
    /// then run (uint16).
    function _spentAndRun(Workflow storage w) internal view returns (uint256 spent, uint256 run) {
        uint256 word;
        assembly ("memory-safe") {
            word := sload(w.slot)
        }
        spent = (word >> 112) & type(uint96).max;
        run = (word >> 208) & 0xffff;
    }

    /// @dev Adds `paid` to `spent` and one to `inFlight` in one write of the workflow's first slot (as two
    /// field writes, the slot is read and written twice). Neither field can carry into the next: spent + paid
    /// is at most `deposited` (a uint96; paid is at most the cost the escrow was checked to cover), and
    /// inFlight at most stepCount.
    function _paidAndInFlight(Workflow storage w, uint256 paid) internal {
        assembly ("memory-safe") {
            let slot := w.slot
            sstore(slot, add(sload(slot), add(shl(112, paid), shl(48, 1))))
        }
    }

    /// @dev A workflow's owner, from its definition's first word.
    function _owner(Workflow storage w) internal view returns (address owner) {
        (owner,) = DefinitionStore.ownerAndCreation(w.definition);
    }

    /// @dev A workflow's flags (RUNNER_FLAG, KEEPER_FLAG), from its definition's first word.
    function _flags(Workflow storage w) internal view returns (uint256) {
        return uint256(DataContract.readWord(w.definition, 0)) & 0xff;
    }

    /// @dev A workflow's owner and flags, from one read of its definition's first word.
    function _ownerAndFlags(Workflow storage w) internal view returns (address owner, uint256 flags) {
        uint256 first = uint256(DataContract.readWord(w.definition, 0));
        return (address(uint160(first >> 96)), first & 0xff);
    }

    function _header(uint256 workflowId, Workflow storage w, uint256 index)
        internal
        view
        returns (WorkflowDefinition.Header memory)
    {
        return DefinitionStore.header(_extraChunks, workflowId, w.definition, index);
    }

    function _moduleAndTemplate(uint256 workflowId, Workflow storage w, WorkflowDefinition.Header memory header)
        internal
        view
        returns (bytes memory module, bytes memory template)
    {
        return DefinitionStore.moduleAndTemplate(_extraChunks, workflowId, w.definition, header);
    }

    function _stepWord(uint256 workflowId, uint256 index) internal view returns (StepWord) {
        return StepWordLib.load(_stepWords, workflowId, index);
    }

    /// @dev The result CID of a completed step, rebuilt from its job's slot and its word's form.
    function _result(StepWord word) internal view returns (string memory) {
        return CidCodec.expand(word.cidForm(), bytes32(_jobSlots[word.jobId()]));
    }

    /// @dev The params a step is dispatched with: its template with each reference's result CID in place.
    function _resolve(uint256 workflowId, bytes memory template) internal view returns (string memory) {
        string[] memory pieces = new string[](template.length / PARAMS_HEADER_BYTES);
        uint256 pieceCount;
        uint256 length;
        uint256 offset;
        while (offset < template.length) {
            uint256 header = ParamsTemplate.headerAt(template, offset);
            offset += PARAMS_HEADER_BYTES;
            if (ParamsTemplate.isReference(header)) {
                string memory cid = _result(_stepWord(workflowId, ParamsTemplate.position(header)));
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
            uint256 header = ParamsTemplate.headerAt(template, offset);
            offset += PARAMS_HEADER_BYTES;
            bytes memory piece;
            uint256 start;
            uint256 size;
            if (ParamsTemplate.isReference(header)) {
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

    function _decodeRoute(uint256 route) internal pure returns (uint256 workflowId, uint256 index, uint256 attempt) {
        return ((route >> 32) & type(uint64).max, (route >> 16) & 0xffff, (route >> 8) & 0xff);
    }

    /// @dev The run (the workflow's `run` counter then) a route's job was dispatched in.
    function _routeRun(uint256 route) internal pure returns (uint256) {
        return route >> 96;
    }

    /// @dev The attempt a job id routes to. A slot whose step completed with the job holds a digest instead;
    /// it is told apart by checking the route against the step it names: a real route names an earlier run
    /// of its workflow, or a step whose word either still carries this job id or has moved on to a later
    /// attempt.
    function _verifiedRoute(uint256 jobId) internal view returns (uint256 workflowId, uint256 index, uint256 attempt) {
        bool known;
        (known, workflowId, index, attempt) = _knownRoute(jobId);
        if (!known) revert IWorkflowRegistry.UnknownJob(jobId);
    }

    function _knownRoute(uint256 jobId)
        internal
        view
        returns (bool known, uint256 workflowId, uint256 index, uint256 attempt)
    {
        uint256 route = _jobSlots[jobId];
        (workflowId, index, attempt) = _decodeRoute(route);
        if (route & ROUTED == 0 || route >> 112 != 0 || attempt == 0 || workflowId == 0) return (false, 0, 0, 0);
        Workflow storage w = _workflows[workflowId];
        if (index >= w.stepCount || _routeRun(route) > w.run) return (false, 0, 0, 0);
        StepWord word = _stepWord(workflowId, index);
        known = _routeRun(route) < w.run
            || (word.jobId() == jobId ? word.attempts() == attempt && word.status() != COMPLETED : word.attempts() > attempt);
        if (!known) return (false, 0, 0, 0);
    }

    /// @dev Whether an attempt in flight is past its step's deadline (dispatchedAt + timeout).
    function _pastDeadline(StepWord word, WorkflowDefinition.Header memory header) internal view returns (bool) {
        return header.timeout != 0 && block.timestamp >= word.dispatchedAt() + header.timeout;
    }

    function _isLive(IWorkflowRegistry.WorkflowStatus status) internal pure returns (bool) {
        return status == IWorkflowRegistry.WorkflowStatus.Running || status == IWorkflowRegistry.WorkflowStatus.Paused;
    }

    function _existing(uint256 workflowId) internal view returns (Workflow storage w) {
        w = _workflows[workflowId];
        if (w.status == IWorkflowRegistry.WorkflowStatus.None) revert IWorkflowRegistry.UnknownWorkflow(workflowId);
    }
}
