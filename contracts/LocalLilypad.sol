// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ILilypadV1} from "./interfaces/lilypad/ILilypadV1.sol";
import {ILilypadV1Caller} from "./interfaces/lilypad/ILilypadV1Caller.sol";
import {ILilypadV1RefundingCaller} from "./interfaces/lilypad/ILilypadV1RefundingCaller.sol";
import {ILocalLilypad} from "./interfaces/lilypad/ILocalLilypad.sol";

/// @title LocalLilypad
/// @notice Lilypad v1 on a development chain: jobs are paid and announced as events, a registered resource
/// provider (`ape run provider`) runs them and posts the answer, and the client is called back exactly as
/// Lilypad calls it. Swapping in the real Lilypad's address changes nothing for the client, except that
/// real Lilypad v1 keeps every payment, where the stand-in returns those of answers that do not count
/// (see ILocalLilypad).
contract LocalLilypad is ILocalLilypad {
    bytes private constant FAILURE_PREFIX = "JOB_FAILED:";

    /// @inheritdoc ILocalLilypad
    address public immutable owner;

    /// @inheritdoc ILocalLilypad
    uint256 public jobCount;

    mapping(bytes32 moduleHash => uint256 cost) private _costs;
    mapping(address account => bool) private _providers;
    mapping(uint256 jobId => Job) private _jobs;

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    constructor() {
        owner = msg.sender;
    }

    /// @inheritdoc ILocalLilypad
    function setModuleCost(string calldata module, uint256 cost) external onlyOwner {
        _costs[keccak256(bytes(module))] = cost;
        emit ModuleCostSet(module, cost);
    }

    /// @inheritdoc ILocalLilypad
    function setProvider(address provider, bool allowed) external onlyOwner {
        _providers[provider] = allowed;
        emit ProviderSet(provider, allowed);
    }

    /// @inheritdoc ILilypadV1
    /// @dev Like Lilypad, any payment above the cost is kept (paid to the provider), not refunded. A module
    /// without a cost is accepted for free; the provider answers it with a failure if it cannot run it.
    function runModuleWithDefaultMediators(string calldata name, string calldata params)
        external
        payable
        returns (uint256 jobId)
    {
        uint256 cost = _costs[keccak256(bytes(name))];
        if (msg.value < cost) revert PaymentTooLow(cost, msg.value);
        if (msg.value > type(uint88).max) revert PaymentTooHigh(msg.value);
        jobId = ++jobCount;
        _jobs[jobId] = Job({client: msg.sender, payment: uint88(msg.value), answered: false});
        emit JobCreated(jobId, msg.sender, name, params, msg.value);
    }

    /// @inheritdoc ILocalLilypad
    function postResult(uint256 jobId, string calldata cid) external {
        _answer(jobId, false, cid, cid);
    }

    /// @inheritdoc ILocalLilypad
    function postFailure(uint256 jobId, string calldata reason) external {
        _answer(jobId, true, reason, string.concat(string(FAILURE_PREFIX), reason));
    }

    /// @inheritdoc ILocalLilypad
    function reclaim(uint256 jobId) external {
        Job storage job = _jobs[jobId];
        if (job.client == address(0)) revert UnknownJob(jobId);
        if (job.answered) revert JobAlreadyAnswered(jobId);
        (bool known, bool inFlight) = _inFlight(job.client, jobId);
        if (!known || inFlight) revert JobNotReclaimable(jobId);
        job.answered = true;
        uint256 payment = job.payment;
        emit PaymentReturned(jobId, job.client, payment);
        ILilypadV1RefundingCaller(job.client).receiveJobRefund{value: payment}(jobId);
    }

    /// @inheritdoc ILilypadV1
    function getModuleCost(string calldata name) external view returns (uint256) {
        return _costs[keccak256(bytes(name))];
    }

    /// @inheritdoc ILocalLilypad
    function getJob(uint256 jobId) external view returns (Job memory) {
        return _jobs[jobId];
    }

    /// @inheritdoc ILocalLilypad
    function isProvider(address account) external view returns (bool) {
        return _providers[account];
    }

    /// @dev Marks the job answered and settles its payment before calling the client (checks-effects-
    /// interactions); a reverting client reverts it all, so an answer is never lost half-way. The provider
    /// is paid for a result that counts, and for any answer to a client that does not say what counts.
    function _answer(uint256 jobId, bool failed, string calldata result, string memory delivered) private {
        if (!_providers[msg.sender]) revert NotProvider(msg.sender);
        Job storage job = _jobs[jobId];
        address client = job.client;
        if (client == address(0)) revert UnknownJob(jobId);
        if (job.answered) revert JobAlreadyAnswered(jobId);
        job.answered = true;
        uint256 payment = job.payment;
        emit JobAnswered(jobId, msg.sender, failed, result);
        (bool known, bool inFlight) = _inFlight(client, jobId);
        if (known && (failed || !inFlight)) {
            emit PaymentReturned(jobId, client, payment);
            ILilypadV1RefundingCaller(client).receiveJobRefund{value: payment}(jobId);
        } else {
            emit ProviderPaid(jobId, msg.sender, payment);
            (bool paid,) = msg.sender.call{value: payment}("");
            if (!paid) revert ProviderPaymentFailed(msg.sender, payment);
        }
        ILilypadV1Caller(client).receiveJobResults(jobId, delivered);
    }

    /// @dev Asks a client whether an answer to the job would count; `known` is false for a client that
    /// does not say (no such function, or it reverted).
    function _inFlight(address client, uint256 jobId) private view returns (bool known, bool inFlight) {
        // A low-level call: an account without code, or one answering anything but a bool, does not say.
        (bool ok, bytes memory answer) =
            client.staticcall(abi.encodeCall(ILilypadV1RefundingCaller.jobInFlight, (jobId)));
        if (!ok || answer.length != 32) return (false, false);
        uint256 value = abi.decode(answer, (uint256));
        if (value > 1) return (false, false);
        return (true, value == 1);
    }
}
