// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ILilypadJobClient} from "./interfaces/lilypad/ILilypadJobClient.sol";
import {ILilypadJobManager} from "./interfaces/lilypad/ILilypadJobManager.sol";
import {ILocalLilypadV2} from "./interfaces/lilypad/ILocalLilypadV2.sol";

/// @title LocalLilypadV2
/// @notice Lilypad v2's on-chain job creator on a development chain, behaving as LilypadOnChainJobCreator
/// does: `runJob` checks the payee's allowance to the controller, records the job and emits JobAdded (first
/// id 1); the controller (the local resource provider, in the job-creator service's role) takes the deposit
/// with `transferFrom`, runs the job and posts `submitResults`, forwarded to the contract that created the
/// job. No failure callback, no refund, no tokens held here.
contract LocalLilypadV2 is ILocalLilypadV2 {
    struct Job {
        address callingContract;
        address payee;
    }

    IERC20 private immutable _token;

    /// @inheritdoc ILocalLilypadV2
    address public immutable owner;

    /// @inheritdoc ILocalLilypadV2
    uint256 public nextJobID;

    address private _controller;
    uint256 private _requiredDeposit;
    mapping(uint256 id => Job) private _jobs;

    /// @notice Creates the job creator for `token_`, run by `controller_`, each job requiring `deposit`.
    /// @param token_ The ERC-20 token deposits are taken in.
    /// @param controller_ The job-creator service's account.
    /// @param deposit The deposit each job requires, in token units (Lilypad's service sets 2e18).
    constructor(IERC20 token_, address controller_, uint256 deposit) {
        _token = token_;
        owner = msg.sender;
        _controller = controller_;
        _requiredDeposit = deposit;
        emit ControllerSet(controller_);
        emit RequiredDepositSet(deposit);
    }

    /// @inheritdoc ILilypadJobManager
    function runJob(string calldata module, string[] calldata inputs, address payee) external returns (uint256) {
        uint256 allowance = _token.allowance(payee, _controller);
        if (allowance < _requiredDeposit) revert AllowanceTooLow(allowance, _requiredDeposit);
        uint256 id = ++nextJobID;
        _jobs[id] = Job(msg.sender, payee);
        emit JobAdded(id, msg.sender, payee, module, inputs);
        return id;
    }

    /// @inheritdoc ILilypadJobManager
    function submitResults(uint256 id, string calldata dealId, string calldata dataId) external {
        if (msg.sender != _controller) revert NotController(msg.sender);
        address client = _jobs[id].callingContract;
        if (client == address(0)) revert JobNotFound(id);
        ILilypadJobClient(client).submitResults(id, dealId, dataId);
    }

    /// @inheritdoc ILocalLilypadV2
    function setRequiredDeposit(uint256 amount) external {
        if (msg.sender != _controller) revert NotController(msg.sender);
        _requiredDeposit = amount;
        emit RequiredDepositSet(amount);
    }

    /// @inheritdoc ILocalLilypadV2
    function setControllerAddress(address controller) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _controller = controller;
        emit ControllerSet(controller);
    }

    /// @inheritdoc ILilypadJobManager
    function getRequiredDeposit() external view returns (uint256) {
        return _requiredDeposit;
    }

    /// @inheritdoc ILilypadJobManager
    function getTokenAddress() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc ILilypadJobManager
    function getControllerAddress() external view returns (address) {
        return _controller;
    }
}
