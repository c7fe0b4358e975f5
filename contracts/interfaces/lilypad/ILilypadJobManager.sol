// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Lilypad's own names, kept exactly (`calling_contract`).
// solhint-disable var-name-mixedcase

/// @title ILilypadJobManager
/// @notice Lilypad v2's on-chain job creator (LilypadOnChainJobCreator in Lilypad-Tech/lilypad,
/// hardhat/contracts/), as it really is: `runJob` records a job and emits JobAdded; the off-chain job-creator
/// service, whose account is the controller, takes the job's fixed deposit from the payee with
/// `transferFrom`, runs it, and calls `submitResults`, which the manager forwards to the calling contract.
/// There is no failure callback and no refund.
interface ILilypadJobManager {
    /// @notice A job was recorded (nothing indexed, as in Lilypad's contract).
    /// @param id The job id, from 1.
    /// @param calling_contract The contract that called `runJob`, told the results.
    /// @param payee The account the deposit is taken from.
    /// @param module The module, `name:ref` or `github.com/owner/repo:ref`.
    /// @param inputs The module's inputs, each `Key=Value`.
    event JobAdded(uint256 id, address calling_contract, address payee, string module, string[] inputs);

    /// @notice Records a job for the off-chain service to run.
    /// @dev Requires `token.allowance(payee, controller) >= requiredDeposit`; does not check that payee is
    /// the caller.
    /// @param module The module.
    /// @param inputs The module's inputs, each `Key=Value`; the service drops any element that does not
    /// split on `=` into exactly two parts.
    /// @param payee The account the service takes the deposit from.
    /// @return The job id.
    function runJob(string memory module, string[] memory inputs, address payee) external returns (uint256);

    /// @notice Forwards a job's results to the contract that called `runJob`. Controller only.
    /// @dev Reverts "Job not found" for an id never issued.
    /// @param id The job id.
    /// @param dealId The solver's deal id.
    /// @param dataId The CID of the job's results directory (`stdout`, `stderr`, `outputs/`).
    function submitResults(uint256 id, string memory dealId, string memory dataId) external;

    /// @notice The deposit the service takes for each job.
    /// @return Token units.
    function getRequiredDeposit() external view returns (uint256);

    /// @notice The ERC-20 token deposits are taken in.
    /// @return The token's address.
    function getTokenAddress() external view returns (address);

    /// @notice The controller: the job-creator service's account, which takes deposits and posts results.
    /// @return The controller's address.
    function getControllerAddress() external view returns (address);
}
