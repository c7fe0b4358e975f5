// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ITokenEscrowRegistry} from "./ITokenEscrowRegistry.sol";
import {ILilypadJobClient} from "./lilypad/ILilypadJobClient.sol";

/// @title ILilypadV2Registry
/// @notice The workflow registry on Lilypad v2's on-chain job creator: attempts are `runJob` calls paid in
/// the job creator's token from a token escrow, results arrive as `submitResults`, accepted only from the
/// job creator, only for ids its own `runJob` calls returned, each once.
/// @dev Lilypad v2 never reports a failure, so every step must have a timeout (TimeoutRequired) and expiry
/// is a step's failure path; retries work as on v1. Each attempt pays the job creator's required deposit at
/// the time of dispatch (at most the step's cost; more fails the dispatch, "dispatch reverted"), by raising
/// the registry's allowance to the job creator's controller by exactly that amount.
interface ILilypadV2Registry is ITokenEscrowRegistry, ILilypadJobClient {
    /// @notice Thrown by `submit` when a step has no timeout: Lilypad v2 would never tell of its failure.
    /// @param stepIndex Position of the step.
    error TimeoutRequired(uint256 stepIndex);

    /// @notice Thrown inside `createJob` when the job creator's deposit exceeds what the step may pay.
    /// @param required The job creator's required deposit.
    /// @param cost The step's cost.
    error DepositAboveCost(uint256 required, uint256 cost);

    /// @notice One dispatch's token approval and `runJob`, as one call that succeeds or changes nothing.
    /// Only the registry itself may call it.
    /// @dev A call boundary, so that a token or job creator that reverts fails the attempt without
    /// reverting whoever dispatched (a result delivery, above all) and without leaving an allowance behind.
    /// @param module The module.
    /// @param params The resolved params: `Key=Value` inputs joined by INPUTS_SEPARATOR.
    /// @param cost The most this attempt may pay.
    /// @return jobId The job id `runJob` returned.
    /// @return paid The deposit the controller was allowed to take.
    function createJob(bytes calldata module, string calldata params, uint256 cost)
        external
        returns (uint256 jobId, uint256 paid);
}
