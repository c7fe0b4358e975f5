// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ILilypadJobManager} from "./ILilypadJobManager.sol";

/// @title ILocalLilypadV2
/// @notice The local stand-in for Lilypad v2's job creator: ILilypadJobManager exactly, plus what the real
/// contract has for its controller and owner (`setRequiredDeposit`, `nextJobID`, a replaceable controller).
/// It never holds tokens: the controller takes each job's deposit from the payee itself.
interface ILocalLilypadV2 is ILilypadJobManager {
    /// @notice Thrown when someone other than the controller posts results or sets the deposit.
    /// @param caller The caller.
    error NotController(address caller);

    /// @notice Thrown when someone other than the owner replaces the controller.
    /// @param caller The caller.
    error NotOwner(address caller);

    /// @notice Thrown by `runJob` when the payee has not allowed the controller the required deposit.
    /// @param allowance `token.allowance(payee, controller)`.
    /// @param required The required deposit.
    error AllowanceTooLow(uint256 allowance, uint256 required);

    /// @notice Thrown by `submitResults` for an id `runJob` never issued ("Job not found" in Lilypad's).
    /// @param id The id.
    error JobNotFound(uint256 id);

    /// @notice The required deposit changed.
    /// @param amount The new deposit, in token units.
    event RequiredDepositSet(uint256 amount);

    /// @notice The controller changed.
    /// @param controller The new controller.
    event ControllerSet(address controller);

    /// @notice Sets the deposit each job requires. Controller only, as in Lilypad's contract.
    /// @param amount Token units.
    function setRequiredDeposit(uint256 amount) external;

    /// @notice Replaces the controller (the account the local resource provider signs with). Owner only.
    /// @param controller The new controller.
    function setControllerAddress(address controller) external;

    /// @notice The id the next job gets minus one: the number of jobs so far.
    /// @return The latest job id (0 before the first).
    function nextJobID() external view returns (uint256);

    /// @notice Who may replace the controller: the deployer.
    /// @return The owner.
    function owner() external view returns (address);
}
