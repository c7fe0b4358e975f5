// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ILilypadV1} from "./ILilypadV1.sol";

/// @title ILocalLilypad
/// @notice The local stand-in for Lilypad v1 on a development chain: the same job interface, module costs
/// set by its owner, and results posted by registered resource providers.
/// @dev Fairer than Lilypad v1 with money, for clients that say which answers count (ILilypadV1RefundingCaller,
/// as the workflow registry does): a provider is paid only for a result that counts; the payment of a
/// failed job, of a result that no longer counts (expired or superseded attempt, ended workflow), and of a
/// job its client gave up on (`reclaim`) goes back to the client. Other clients are treated as Lilypad v1
/// treats them: the provider is paid for every answer. Every wei the stand-in holds is the payment of a job
/// not yet answered or reclaimed.
interface ILocalLilypad is ILilypadV1 {
    /// @notice A job as the stand-in keeps it, in one storage slot.
    /// @param client Contract that submitted the job; it receives `receiveJobResults`.
    /// @param payment Wei paid with the job; goes to the provider who answers it, or back to the client.
    /// @param answered Whether it was answered or reclaimed (the stand-in holds its payment no more).
    struct Job {
        address client;
        uint88 payment;
        bool answered;
    }

    /// @notice Thrown when someone other than the owner configures the stand-in.
    /// @param caller The rejected caller.
    error NotOwner(address caller);

    /// @notice Thrown when an account that is not a registered provider posts an answer.
    /// @param caller The rejected caller.
    error NotProvider(address caller);

    /// @notice Thrown when a job is submitted with less than its module's cost.
    /// @param cost The module's cost.
    /// @param paid What was sent.
    error PaymentTooLow(uint256 cost, uint256 paid);

    /// @notice Thrown when a job's payment does not fit the stand-in's 88-bit field (309 million ether).
    /// @param paid What was sent.
    error PaymentTooHigh(uint256 paid);

    /// @notice Thrown when answering a job that does not exist.
    /// @param jobId The job id.
    error UnknownJob(uint256 jobId);

    /// @notice Thrown when answering a job a second time.
    /// @param jobId The job id.
    error JobAlreadyAnswered(uint256 jobId);

    /// @notice Thrown when reclaiming a job its client still counts on (`jobInFlight` is true or unknown).
    /// @param jobId The job id.
    error JobNotReclaimable(uint256 jobId);

    /// @notice Thrown when paying the provider failed.
    /// @param provider The provider.
    /// @param amount The payment.
    error ProviderPaymentFailed(address provider, uint256 amount);

    /// @notice Emitted when a job was submitted; providers follow these events.
    /// @param jobId The new job's id.
    /// @param client The submitting contract.
    /// @param module Module name and version.
    /// @param params The module's params.
    /// @param payment Wei paid.
    event JobCreated(uint256 indexed jobId, address indexed client, string module, string params, uint256 payment);

    /// @notice Emitted when a provider answered a job and the client was called back.
    /// @param jobId The job id.
    /// @param provider The provider.
    /// @param failed True when the answer was a failure.
    /// @param result The CID, or the failure reason.
    event JobAnswered(uint256 indexed jobId, address indexed provider, bool failed, string result);

    /// @notice Emitted when a job's payment went to the provider who answered it.
    /// @param jobId The job id.
    /// @param provider The provider.
    /// @param amount Wei paid.
    event ProviderPaid(uint256 indexed jobId, address indexed provider, uint256 amount);

    /// @notice Emitted when a job's payment went back to its client.
    /// @param jobId The job id.
    /// @param client The client, credited through `receiveJobRefund`.
    /// @param amount Wei sent back.
    event PaymentReturned(uint256 indexed jobId, address indexed client, uint256 amount);

    /// @notice Emitted when the owner set a module's cost.
    /// @param module Module name and version.
    /// @param cost The cost in wei.
    event ModuleCostSet(string module, uint256 cost);

    /// @notice Emitted when the owner registered or removed a provider.
    /// @param provider The provider.
    /// @param allowed Whether it may post answers.
    event ProviderSet(address indexed provider, bool allowed);

    /// @notice Sets the cost of a module. Owner only.
    /// @param module Module name and version.
    /// @param cost The cost in wei; 0 makes the module free.
    function setModuleCost(string calldata module, uint256 cost) external;

    /// @notice Registers or removes a resource provider. Owner only.
    /// @param provider The provider's account.
    /// @param allowed Whether it may post answers.
    function setProvider(address provider, bool allowed) external;

    /// @notice Posts a job's result CID: pays the provider if the result counts (else returns the payment
    /// to the client), then calls the client's `receiveJobResults`.
    /// @dev Registered providers only. Reverts with NotProvider, UnknownJob, JobAlreadyAnswered, or whatever
    /// the client's callback reverts with (then nothing is recorded, so the provider may try again).
    /// @param jobId The job id.
    /// @param cid The result CID.
    function postResult(uint256 jobId, string calldata cid) external;

    /// @notice Posts a job's failure; the client receives "JOB_FAILED:" followed by `reason`, and the job's
    /// payment back if it takes refunds (otherwise the provider is paid, as on Lilypad v1).
    /// @dev As `postResult`.
    /// @param jobId The job id.
    /// @param reason Why the job failed.
    function postFailure(uint256 jobId, string calldata reason) external;

    /// @notice Returns an unanswered job's payment to its client once the client says an answer would not
    /// count any more (`jobInFlight` false: an expired or superseded attempt, an ended workflow). Anyone.
    /// @dev Reverts with UnknownJob, JobAlreadyAnswered, JobNotReclaimable, or what the refund reverts with.
    /// @param jobId The job id.
    function reclaim(uint256 jobId) external;

    /// @notice The owner, who sets costs and providers.
    /// @return The owner's address.
    function owner() external view returns (address);

    /// @notice Number of jobs submitted so far; job ids run from 1 to this.
    /// @return The count.
    function jobCount() external view returns (uint256);

    /// @notice A job.
    /// @param jobId The job id.
    /// @return The job (all zero for an unknown id).
    function getJob(uint256 jobId) external view returns (Job memory);

    /// @notice Whether an account may post answers.
    /// @param account The account.
    /// @return True for a registered provider.
    function isProvider(address account) external view returns (bool);
}
