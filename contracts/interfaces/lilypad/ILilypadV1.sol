// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ILilypadV1
/// @notice The part of the Lilypad v1 ("Modicum") contract a client uses, with the exact signatures the
/// deployed contract exposes.
/// @dev Lilypad remembers msg.sender as the job's owner and later calls
/// ILilypadV1Caller.receiveJobResults on it, so jobs must be submitted from the contract that implements
/// that callback.
interface ILilypadV1 {
    /// @notice Submits a job running a module with Lilypad's default mediators.
    /// @dev msg.value is the job's payment; `getModuleCost` gives the amount Lilypad expects.
    /// @param name Module name and version, such as "cowsay:v0.0.1".
    /// @param params The module's params string.
    /// @return The job id, which the result callback carries.
    function runModuleWithDefaultMediators(string calldata name, string calldata params)
        external
        payable
        returns (uint256);

    /// @notice Price in wei of running a module.
    /// @param name Module name and version.
    /// @return The cost in wei.
    function getModuleCost(string calldata name) external view returns (uint256);
}
