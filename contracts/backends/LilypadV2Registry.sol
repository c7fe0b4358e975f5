// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {WorkflowRegistry} from "../WorkflowRegistry.sol";
import {TokenEscrow} from "../escrow/TokenEscrow.sol";
import {IWorkflowRegistry} from "../interfaces/IWorkflowRegistry.sol";
import {ILilypadV2Registry} from "../interfaces/ILilypadV2Registry.sol";
import {ILilypadJobClient} from "../interfaces/lilypad/ILilypadJobClient.sol";
import {ILilypadJobManager} from "../interfaces/lilypad/ILilypadJobManager.sol";
import {INPUTS_SEPARATOR} from "../interfaces/ParamsEncoding.sol";

/// @title LilypadV2Registry
/// @notice The workflow registry on Lilypad v2 (LilypadOnChainJobCreator): submits each attempt with
/// `runJob(module, inputs, registry)`, pays the job creator's deposit from a token escrow in the job
/// creator's token, and is the client the job creator calls back with `submitResults`.
/// @dev The job creator's controller (the off-chain service's account) takes each deposit from the registry
/// with `transferFrom`; the registry raises its allowance by exactly each job's deposit at dispatch. So the
/// controller can take at most what was allowed for jobs dispatched (paid whether or not it runs them), never
/// an escrow: see the README's threat model.
contract LilypadV2Registry is TokenEscrow, ILilypadV2Registry {
    using SafeERC20 for IERC20;

    ILilypadJobManager private immutable _jobManager;

    /// @dev Transient slot holding what the last job `_submitJob` submitted was paid (`_paidForLastJob`).
    bytes32 private constant LAST_JOB_PAID = keccak256("tinyhops.LilypadV2Registry.lastJobPaid");

    /// @notice Binds the registry to one job creator, its token, and the gas each dispatch gives it.
    /// @param jobManager The LilypadOnChainJobCreator jobs go to and results come from.
    /// @param dispatchGas Gas each dispatch gives its approval and `runJob` call, exactly.
    constructor(ILilypadJobManager jobManager, uint256 dispatchGas)
        TokenEscrow(IERC20(jobManager.getTokenAddress()))
        WorkflowRegistry(dispatchGas)
    {
        _jobManager = jobManager;
    }

    /// @inheritdoc ILilypadJobClient
    /// @dev Reverts with NotLilypad, UnknownJob or Reentered only. `dataId` is taken as the attempt's result
    /// (a non-CID fails it); answers for ended workflows, old attempts or completed jobs are recorded as
    /// ignored. The deal id is not kept.
    function submitResults(uint256 id, string calldata, string calldata dataId) external nonReentrant {
        if (msg.sender != address(_jobManager)) revert NotLilypad(msg.sender);
        _recordResult(id, dataId);
    }

    /// @inheritdoc ILilypadV2Registry
    function createJob(bytes calldata module, string calldata params, uint256 cost)
        external
        returns (uint256 jobId, uint256 paid)
    {
        if (msg.sender != address(this)) revert NotSelf(msg.sender);
        paid = _jobManager.getRequiredDeposit();
        if (paid > cost) revert DepositAboveCost(paid, cost);
        address controller = _jobManager.getControllerAddress();
        _token.forceApprove(controller, _token.allowance(address(this), controller) + paid);
        jobId = _jobManager.runJob(string(module), _inputs(bytes(params)), address(this));
    }

    /// @inheritdoc IWorkflowRegistry
    function lilypad() external view override returns (address) {
        return address(_jobManager);
    }

    /// @dev The approval and `runJob` behind a call boundary (`createJob`) with exactly `gas`: whatever
    /// reverts there is undone and reported as a refused dispatch.
    function _submitJob(bytes memory module, string memory params, uint256 cost, uint256 gas)
        internal
        override
        returns (bool submitted, uint256 jobId)
    {
        try this.createJob{gas: gas}(module, params, cost) returns (uint256 id, uint256 deposit) {
            bytes32 slot = LAST_JOB_PAID;
            assembly ("memory-safe") {
                tstore(slot, deposit)
            }
            return (true, id);
        } catch {
            return (false, 0);
        }
    }

    /// @dev The job creator's deposit `createJob` allowed for the job just submitted (at most `cost`).
    function _paidForLastJob(uint256) internal view override returns (uint256 paid) {
        bytes32 slot = LAST_JOB_PAID;
        assembly ("memory-safe") {
            paid := tload(slot)
        }
    }

    /// @dev Lilypad v2 never reports a failure: a step without a timeout could hang for good.
    function _checkSteps(StepDefinition[] calldata steps) internal pure override {
        for (uint256 i; i < steps.length; ++i) {
            if (steps[i].timeout == 0) revert TimeoutRequired(i);
        }
    }

    /// @dev Splits resolved params at INPUTS_SEPARATOR into `runJob`'s inputs (none for empty params), in assembly:
    /// indexing and copying `bytes` in Solidity cost about 750 gas a byte, so a join of some twenty CIDs needed
    /// more than `dispatchGas` and its dispatch failed. First the separators are found a word at a time: a word w
    /// of params XOR the separator in every byte holds none when it has no zero byte, that is when
    /// (w - 0x0101...01) & ~w & 0x8080...80 is zero, and is then skipped whole (bytes read past the end are never
    /// taken for a separator); where each input ends is noted at the free memory pointer. Then the array and each
    /// input (copied with mcopy; the ABI encoder pads it) are laid out after those notes.
    function _inputs(bytes memory params) private pure returns (string[] memory inputs) {
        uint8 separator = uint8(INPUTS_SEPARATOR);
        assembly ("memory-safe") {
            let lowBits := div(not(0), 0xff)
            let separators := mul(separator, lowBits)
            let length := mload(params)
            let first := add(params, 32)
            let ends := mload(0x40)
            let count := 0
            if length {
                for { let at := 0 } lt(at, length) { at := add(at, 1) } {
                    let w := xor(mload(add(first, at)), separators)
                    if iszero(and(and(sub(w, lowBits), not(w)), shl(7, lowBits))) {
                        at := add(at, 31)
                        continue
                    }
                    if iszero(byte(0, w)) {
                        count := add(count, 1)
                        mstore(add(ends, shl(5, count)), at)
                    }
                }
                count := add(count, 1)
                mstore(add(ends, shl(5, count)), length)
            }
            inputs := add(ends, shl(5, add(count, 1)))
            mstore(inputs, count)
            let free := add(inputs, shl(5, add(count, 1)))
            let start := 0
            for { let k := 1 } iszero(gt(k, count)) { k := add(k, 1) } {
                let end := mload(add(ends, shl(5, k)))
                let size := sub(end, start)
                mstore(free, size)
                mcopy(add(free, 32), add(first, start), size)
                mstore(add(inputs, shl(5, k)), free)
                free := add(free, and(add(size, 63), not(31)))
                start := add(end, 1)
            }
            mstore(0x40, free)
        }
    }
}
