// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IKeeperReimbursement} from "./IKeeperReimbursement.sol";

/// @title IWorkflowRegistry
/// @notice Holds Tiny Hops workflows on-chain: a DAG of Lilypad jobs, its deposit, and every step's job
/// id, status and result CID. Steps run as soon as their dependencies have results. The registry is
/// Lilypad's client itself: a backend per Lilypad version (LilypadV1Registry) submits each attempt as a job
/// and receives Lilypad's callback, remembering which workflow, step and attempt each job id belongs to.
/// @dev Limits are in WorkflowLimits.sol and the params template encoding in ParamsEncoding.sol. Step
/// positions (`stepIndex`) are indexes into the array given to `submit`; step ids are the caller's own
/// labels, unique within a workflow. Attempts are numbered from 1. Wherever the registry dispatches, a
/// dispatch that Lilypad refuses (its call reverted: nothing was paid) fails the step and the
/// workflow at once, whatever its retries, with StepFailed reason "dispatch reverted": retrying would meet
/// the same refusal. It does not revert the call, so one bad step cannot block Lilypad's callback. When too
/// little gas is left to guarantee a dispatch its gas, `submit`, `resume`, `advance` and `expire` revert
/// with InsufficientGas (so a gas estimate covers the dispatch), while a Lilypad result is recorded anyway
/// and the step it made ready stays queued for `advance`.
/// Every state-changing function shares one reentrancy lock and reverts with `Reentered` while it is held.
/// Keepers calling `advance` and `expire` are paid from each workflow's gas deposit: IKeeperReimbursement.
interface IWorkflowRegistry is IKeeperReimbursement {
    /// @notice Lifecycle of a workflow.
    /// @dev None: no such workflow. Running: steps are dispatched as they become ready. Paused: in-flight
    /// jobs still report, but ready steps are queued until `resume`. Completed: every step has a result.
    /// Failed: a step failed its last attempt. Cancelled: the owner stopped it. On reaching one of the last
    /// three the run ends and its unspent balance is refunded to the owner. Completed is final forever;
    /// Failed and Cancelled are final until the owner redrives the workflow (`redrive`), which starts its
    /// next run, Running, with the same id.
    enum WorkflowStatus {
        None,
        Running,
        Paused,
        Completed,
        Failed,
        Cancelled
    }

    /// @notice Lifecycle of one step.
    /// @dev Waiting: some dependency has no result yet. Ready: runnable but queued, because the workflow
    /// is paused or a single transaction already dispatched MAX_DISPATCH_PER_DELIVERY steps; `advance` or
    /// `resume` dispatches it. Dispatched: a job is in flight. Completed: has a result CID. Failed: the
    /// last attempt failed and no retries are left. A failed attempt with retries left goes back to Ready
    /// or straight to Dispatched. Once a workflow has failed or been cancelled, its steps are final too (until
    /// a redrive puts every step without a result back to Waiting or Ready, with no attempts):
    /// Skipped, a step that never ran to the end (it was Waiting or Ready), and Cancelled, a step whose
    /// job was in flight (its answer will be ignored). Completed and Failed steps stay as they were.
    enum StepStatus {
        Waiting,
        Ready,
        Dispatched,
        Completed,
        Failed,
        Skipped,
        Cancelled
    }

    /// @notice One step as submitted. `submit` takes a flat array of them in topological order.
    /// @param stepId Caller-chosen id, unique within the workflow; events and `resultOf` use it.
    /// @param cost Most paid to Lilypad for each attempt, in the escrow's unit (wei, or token units on a
    /// token escrow); nonzero.
    /// @param timeout Seconds after a dispatch from which anyone may `expire` the attempt; 0 for never.
    /// @param retries Extra attempts after a failed attempt, at most MAX_RETRIES.
    /// @param needs Positions in the submitted array of the steps this one depends on; all earlier than
    /// this step, strictly ascending, at most MAX_NEEDS.
    /// @param module Lilypad module name and version, such as "cowsay:v0.0.1"; 1..MAX_MODULE_BYTES bytes.
    /// @param params Params template as encoded by ParamsEncoding.sol; at most MAX_PARAMS_BYTES bytes.
    /// @param cacheable Whether the step's result may be taken from, and given to, the result cache: at its
    /// first dispatch a cacheable step whose module and resolved params already have a result accepted from
    /// this registry's Lilypad completes with it at once, unpaid (StepServedFromCache); a cacheable step
    /// completed by Lilypad fills the cache if no result is there yet (ResultCached). Only for modules
    /// that give the same result for the same params: the cache serves whoever asks, across workflows.
    struct StepDefinition {
        uint64 stepId;
        uint96 cost;
        uint32 timeout;
        uint8 retries;
        uint16[] needs;
        string module;
        bytes params;
        bool cacheable;
    }

    /// @notice State of a workflow as a whole.
    /// @param owner Account that submitted the workflow; the only one who may pause, resume, cancel or redrive it.
    /// @param status Current lifecycle status.
    /// @param balance Escrowed deposit not yet paid to Lilypad; zero once the workflow has ended.
    /// @param spent Paid to Lilypad so far (in the escrow's unit), less what Lilypad sent back (`receiveJobRefund`).
    /// @param stepCount Number of steps.
    /// @param completedCount Steps with a result CID.
    /// @param inFlightCount Steps with a job in flight (status Dispatched); zero once the workflow has ended.
    /// @param queuedCount Work waiting for `advance` or `resume`: steps to dispatch, dependents to notify;
    /// zero once the workflow has ended.
    /// @param createdAt Timestamp of the submit transaction.
    /// @param refunded Wei credited to the owner's refundable balance since the workflow ended (everything
    /// deposited, by the owner or anyone who funded it, less what was spent; it grows if Lilypad sends a
    /// job's payment back later); zero while it is live. Like `balance` and `spent`, of the current run only.
    /// @param run The current run's number: 1 for the run `submit` started, one more for each `redrive`.
    struct WorkflowSummary {
        address owner;
        WorkflowStatus status;
        uint96 balance;
        uint96 spent;
        uint16 stepCount;
        uint16 completedCount;
        uint16 inFlightCount;
        uint16 queuedCount;
        uint40 createdAt;
        uint96 refunded;
        uint16 run;
    }

    /// @notice State of one step.
    /// @param stepId The step's id from its definition.
    /// @param status Current lifecycle status.
    /// @param attempts Attempts dispatched so far; the current or last attempt's number.
    /// @param dispatchedAt Timestamp of the latest dispatch; 0 before the first.
    /// @param jobId Lilypad job id of the latest attempt once `attempts` is nonzero. A step served from the
    /// result cache reads Completed with `attempts` 0 (a step is looked up only at its first dispatch), and
    /// `jobId` is then the job, of whichever workflow, whose result it was served.
    /// @param module Lilypad module name from the definition.
    /// @param cost Most paid per attempt, from the definition, in the escrow's unit.
    /// @param timeout Seconds after a dispatch from which the attempt may be expired (0: never), from the
    /// definition.
    /// @param retries Extra attempts allowed after a failure, from the definition.
    /// @param params Params sent to Lilypad, with references resolved (for a step served from the cache, the
    /// params it was looked up with); empty until first dispatched.
    /// @param resultCid Result CID; empty until the step completes.
    struct StepState {
        uint64 stepId;
        StepStatus status;
        uint8 attempts;
        uint40 dispatchedAt;
        uint256 jobId;
        string module;
        uint96 cost;
        uint32 timeout;
        uint8 retries;
        string params;
        string resultCid;
    }

    /// @notice Thrown when someone other than the owner pauses, resumes, cancels or redrives a workflow.
    /// @param workflowId The workflow.
    /// @param caller The rejected caller.
    error NotWorkflowOwner(uint256 workflowId, address caller);

    /// @notice Thrown when someone other than the configured Lilypad delivers a job's answer.
    /// @param caller The rejected caller.
    error NotLilypad(address caller);

    /// @notice Thrown when an answer, a refund or a lookup names a job id this registry does not route:
    /// never issued, or one whose step completed with it (its slot then holds the result).
    /// @param jobId The job id.
    error UnknownJob(uint256 jobId);

    /// @notice Thrown when a workflow id was never issued.
    /// @param workflowId The unknown id.
    error UnknownWorkflow(uint256 workflowId);

    /// @notice Thrown when an action is not allowed in the workflow's current status.
    /// @param workflowId The workflow.
    /// @param status Its current status.
    error WrongWorkflowStatus(uint256 workflowId, WorkflowStatus status);

    /// @notice Thrown when a submitted workflow has no steps.
    error EmptyWorkflow();

    /// @notice Thrown when a submitted workflow has more than MAX_STEPS steps.
    /// @param count Number of steps submitted.
    /// @param max MAX_STEPS.
    error TooManySteps(uint256 count, uint256 max);

    /// @notice Thrown when the packed definition would be too large to address with 24-bit offsets (no
    /// submit within any block's gas comes near it).
    /// @param size Bytes the definition would take.
    /// @param max The limit.
    error DefinitionTooLarge(uint256 size, uint256 max);

    /// @notice Thrown when a step needs itself or a later step, which would break the topological order.
    /// @param stepIndex Position of the offending step.
    /// @param dependency The position it needs.
    error DependencyNotEarlier(uint256 stepIndex, uint256 dependency);

    /// @notice Thrown when a step's `needs` are not strictly ascending (this also rules out duplicates).
    /// @param stepIndex Position of the offending step.
    error DependenciesNotAscending(uint256 stepIndex);

    /// @notice Thrown when a step needs more than MAX_NEEDS steps.
    /// @param stepIndex Position of the offending step.
    /// @param count Number of dependencies it lists.
    error TooManyDependencies(uint256 stepIndex, uint256 count);

    /// @notice Thrown when a step costs nothing; Lilypad does not run unpaid jobs.
    /// @param stepIndex Position of the offending step.
    error ZeroCost(uint256 stepIndex);

    /// @notice Thrown when a step asks for more than MAX_RETRIES retries.
    /// @param stepIndex Position of the offending step.
    /// @param retries The retries it asks for.
    error TooManyRetries(uint256 stepIndex, uint256 retries);

    /// @notice Thrown when a step's timeout exceeds MAX_TIMEOUT_SECONDS.
    /// @param stepIndex Position of the offending step.
    /// @param timeout The timeout it asks for, in seconds.
    error TimeoutTooLong(uint256 stepIndex, uint256 timeout);

    /// @notice Thrown when a step's module name is empty or longer than MAX_MODULE_BYTES.
    /// @param stepIndex Position of the offending step.
    error InvalidModule(uint256 stepIndex);

    /// @notice Thrown when a step's params template is longer than MAX_PARAMS_BYTES.
    /// @param stepIndex Position of the offending step.
    /// @param length Its length in bytes.
    error ParamsTooLong(uint256 stepIndex, uint256 length);

    /// @notice Thrown when a step's params template does not decode (see ParamsEncoding.sol).
    /// @param stepIndex Position of the offending step.
    /// @param offset Byte offset of the segment header where decoding failed.
    error MalformedParams(uint256 stepIndex, uint256 offset);

    /// @notice Thrown when a step's params template holds more than MAX_REFERENCES references.
    /// @param stepIndex Position of the offending step.
    error TooManyReferences(uint256 stepIndex);

    /// @notice Thrown when a step's params refer to a step it does not list in `needs`, whose result
    /// would not be known when it runs.
    /// @param stepIndex Position of the offending step.
    /// @param referenced The position referred to (`reference` is a reserved word in Solidity).
    error ReferenceNotADependency(uint256 stepIndex, uint256 referenced);

    /// @notice Thrown when two steps of a workflow share an id.
    /// @param stepIndex Position of the second step with that id.
    /// @param stepId The repeated id.
    error DuplicateStepId(uint256 stepIndex, uint64 stepId);

    /// @notice Thrown when `submit` is sent less than the workflow's required deposit, or `redrive` less
    /// than its run's.
    /// @param required The required deposit, as `requiredDeposit` computes it (for `redrive`: over the
    /// steps going back into play).
    /// @param provided The value sent.
    error InsufficientDeposit(uint256 required, uint256 provided);

    /// @notice Thrown when `redrive` is asked of a workflow whose every step already has its result (a
    /// cancelled workflow's last in-flight answers still land): a run would have nothing to do.
    /// @param workflowId The workflow.
    error NothingToRedrive(uint256 workflowId);

    /// @notice Thrown when a step position is out of range for its workflow.
    /// @param workflowId The workflow.
    /// @param stepIndex The out-of-range position.
    error UnknownStep(uint256 workflowId, uint256 stepIndex);

    /// @notice Thrown when a workflow has no step with the given id.
    /// @param workflowId The workflow.
    /// @param stepId The unknown id.
    error UnknownStepId(uint256 workflowId, uint64 stepId);

    /// @notice Thrown when `expire` targets a step that is not in flight, has no timeout, or whose
    /// timeout has not yet passed.
    /// @param workflowId The workflow.
    /// @param stepIndex Position of the step.
    error StepNotExpirable(uint256 workflowId, uint256 stepIndex);

    /// @notice Thrown when the caller has no refundable balance to withdraw.
    error NothingToWithdraw();

    /// @notice Thrown when sending a withdrawal fails.
    /// @param to The recipient that rejected the transfer.
    /// @param amount The amount that was being sent.
    error WithdrawFailed(address to, uint256 amount);

    /// @notice Thrown when a deposit or top-up would take a workflow's deposit past uint96.
    /// @param amount The deposit the workflow would hold.
    error DepositTooLarge(uint256 amount);

    /// @notice Thrown when a call was given too little gas for a dispatch or a client notification to run.
    /// @dev A call into Lilypad or the client that fails with under 1/64 of its gas left is taken as
    /// starved by the caller, not as a failure of the step, so nobody can fail a workflow by underpaying gas.
    /// Also thrown by submit, resume, advance and expire when too little gas is left to guarantee a due
    /// dispatch its gas; a Lilypad result in the same situation leaves the step queued instead.
    error InsufficientGas();

    /// @notice Thrown when a state-changing function is called while another one is executing.
    error Reentered();

    /// @notice Thrown when anyone but the registry itself calls what only the registry may call (Lilypad
    /// v2's `createJob`, the fallback that runs the registry's views).
    /// @param caller The caller.
    error NotSelf(address caller);

    /// @notice Emitted when a workflow is submitted, funded and started.
    /// @param workflowId The new workflow's id.
    /// @param owner The submitter, now its owner.
    /// @param stepCount Number of steps.
    /// @param deposit Wei deposited with the submission.
    /// @param definition Address of the immutable data contract holding the encoded step definitions.
    event WorkflowSubmitted(
        uint256 indexed workflowId, address indexed owner, uint256 stepCount, uint256 deposit, address definition
    );

    /// @notice Emitted when a workflow's escrow is topped up.
    /// @param workflowId The workflow.
    /// @param funder The account that sent the funds.
    /// @param amount Wei added.
    event WorkflowFunded(uint256 indexed workflowId, address indexed funder, uint256 amount);

    /// @notice Emitted when an attempt of a step is submitted to Lilypad.
    /// @param workflowId The workflow.
    /// @param stepId The step's id.
    /// @param jobId The Lilypad job id of this attempt.
    /// @param stepIndex The step's position.
    /// @param attempt The attempt's number, from 1.
    /// @param cost What Lilypad was paid for the attempt, in the escrow's unit (at most the step's cost).
    /// @param params The resolved params sent to Lilypad.
    event StepDispatched(
        uint256 indexed workflowId,
        uint64 indexed stepId,
        uint256 indexed jobId,
        uint16 stepIndex,
        uint8 attempt,
        uint256 cost,
        string params
    );

    /// @notice Emitted when a step became ready but was queued instead of dispatched, because the
    /// workflow is paused or this transaction already dispatched MAX_DISPATCH_PER_DELIVERY steps.
    /// @dev `advance` or `resume` dispatches it later.
    /// @param workflowId The workflow.
    /// @param stepId The step's id.
    /// @param stepIndex The step's position.
    event StepDeferred(uint256 indexed workflowId, uint64 indexed stepId, uint16 indexed stepIndex);

    /// @notice Emitted when a step's job returned a result.
    /// @param workflowId The workflow.
    /// @param stepId The step's id.
    /// @param stepIndex The step's position.
    /// @param attempt The attempt that succeeded.
    /// @param cid The result CID: a CIDv0 ("Qm…") or a lowercase base32 CIDv1, exactly as Lilypad posted it.
    event StepCompleted(
        uint256 indexed workflowId, uint64 indexed stepId, uint16 indexed stepIndex, uint8 attempt, string cid
    );

    /// @notice Emitted when a cacheable step, at its first dispatch, was completed with a result the cache
    /// holds for its module and resolved params, instead of being sent to Lilypad: nothing was paid, the
    /// escrow keeps its cost. StepCompleted follows, with attempt 0.
    /// @param workflowId The workflow.
    /// @param stepId The step's id.
    /// @param stepIndex The step's position.
    /// @param key The cache key: keccak256(uint8(module length) ++ module ++ resolved params), see `cachedResult`.
    /// @param jobId The job, of whichever workflow, whose accepted result filled the cache entry.
    event StepServedFromCache(
        uint256 indexed workflowId, uint64 indexed stepId, uint16 indexed stepIndex, bytes32 key, uint256 jobId
    );

    /// @notice Emitted when a cacheable step's result, accepted from this registry's Lilypad, filled the
    /// result cache for its module and resolved params. The first result for a key stays: a key is filled once.
    /// @param key The cache key (see StepServedFromCache).
    /// @param workflowId The workflow whose step completed.
    /// @param stepIndex The step's position.
    /// @param jobId The job whose result it is.
    event ResultCached(bytes32 indexed key, uint256 indexed workflowId, uint16 stepIndex, uint256 jobId);

    /// @notice Emitted when an attempt of a step failed: Lilypad reported a failure, its answer was not a
    /// CID, the dispatch itself reverted, or the attempt was expired.
    /// @param workflowId The workflow.
    /// @param stepId The step's id.
    /// @param stepIndex The step's position.
    /// @param attempt The attempt that failed.
    /// @param reason Why: as reported by Lilypad (its first 256 bytes), "result is not a CID" for an answer
    /// that is not one, "expired" for an expired attempt, or "dispatch reverted".
    /// @param willRetry True if retries are left; false means the step and the workflow have failed.
    event StepFailed(
        uint256 indexed workflowId,
        uint64 indexed stepId,
        uint16 indexed stepIndex,
        uint8 attempt,
        string reason,
        bool willRetry
    );

    /// @notice Emitted when an in-flight attempt older than its step's timeout was expired.
    /// @param workflowId The workflow.
    /// @param stepId The step's id.
    /// @param stepIndex The step's position.
    /// @param attempt The attempt expired.
    /// @param expiredBy The account that called `expire`; the zero address when the attempt's answer came
    /// after its deadline, which expires it just the same.
    event StepExpired(
        uint256 indexed workflowId,
        uint64 indexed stepId,
        uint16 indexed stepIndex,
        uint8 attempt,
        address expiredBy
    );

    /// @notice Emitted when a job's answer arrived for an expired or superseded attempt, for a step not
    /// in flight, for a workflow that has ended, or after its attempt's deadline (then StepExpired
    /// follows); the answer itself changes nothing.
    /// @dev workflowId, stepIndex and attempt are those the job was submitted for; all three are 0 for a
    /// job whose step already completed with it (the registry then no longer keeps its route; see `jobOf`).
    /// @param jobId The job the answer was for.
    /// @param workflowId The workflow.
    /// @param stepIndex The step's position.
    /// @param attempt The attempt.
    /// @param result The CID or failure reason delivered (its first 256 bytes).
    event ResultIgnored(
        uint256 indexed jobId, uint256 indexed workflowId, uint16 indexed stepIndex, uint8 attempt, string result
    );

    /// @notice Emitted when ether for a job came back (from a Lilypad that refunds, such as the local
    /// stand-in for a failed or expired job) and was credited to the job's workflow.
    /// @param jobId The job.
    /// @param workflowId Its workflow: its escrow if it is live, its owner's refundable balance if it ended.
    /// @param amount Wei received.
    event JobRefunded(uint256 indexed jobId, uint256 indexed workflowId, uint256 amount);

    /// @notice Emitted when an owner contract's `onWorkflowFinished` was left for `advance`, because the
    /// transaction that ended the workflow was a Lilypad callback with too little gas left to give it.
    /// @param workflowId The workflow.
    /// @param client The owner contract.
    event ClientNotificationDeferred(uint256 indexed workflowId, address indexed client);

    /// @notice Emitted when the owner redrove a failed or cancelled workflow: its next run has started, with
    /// `deposit` as its whole escrow (what the last run left was refunded when it ended). StepRedriven
    /// events, one per step going back into play, follow it; then the ready ones are dispatched.
    /// @param workflowId The workflow.
    /// @param run The new run's number (2 for the first redrive).
    /// @param deposit The top-up, in the escrow's unit.
    /// @param stepsRedriven How many steps went back into play: every step without a result.
    event WorkflowRedriven(uint256 indexed workflowId, uint16 run, uint256 deposit, uint256 stepsRedriven);

    /// @notice Emitted, after WorkflowRedriven, for each step that went back into play: it failed or never
    /// ran to a result in the last run, and starts this one with no attempts (completed steps keep theirs).
    /// @param workflowId The workflow.
    /// @param stepId The step's id.
    /// @param stepIndex The step's position.
    /// @param ready True if all its dependencies have results (it is Ready and queued, dispatched at once
    /// within MAX_DISPATCH_PER_DELIVERY); false if it is Waiting.
    event StepRedriven(uint256 indexed workflowId, uint64 indexed stepId, uint16 indexed stepIndex, bool ready);

    /// @notice Emitted when the owner paused a workflow.
    /// @param workflowId The workflow.
    event WorkflowPaused(uint256 indexed workflowId);

    /// @notice Emitted when the owner resumed a paused workflow.
    /// @param workflowId The workflow.
    event WorkflowResumed(uint256 indexed workflowId);

    /// @notice Emitted when the owner cancelled a workflow.
    /// @param workflowId The workflow.
    event WorkflowCancelled(uint256 indexed workflowId);

    /// @notice Emitted when the last step of a workflow completed.
    /// @param workflowId The workflow.
    event WorkflowCompleted(uint256 indexed workflowId);

    /// @notice Emitted when a workflow failed because a step failed its last attempt.
    /// @param workflowId The workflow.
    /// @param stepId The id of the step that failed.
    event WorkflowFailed(uint256 indexed workflowId, uint64 indexed stepId);

    /// @notice Emitted when a workflow ended and its unspent balance was credited to the owner's
    /// withdrawable balance.
    /// @param workflowId The workflow.
    /// @param owner Its owner, credited.
    /// @param amount Wei credited.
    event Refunded(uint256 indexed workflowId, address indexed owner, uint256 amount);

    /// @notice Emitted when an account withdrew its refundable balance.
    /// @param account The account, also the recipient.
    /// @param amount Amount sent, in the escrow's unit (wei or token units).
    event Withdrawn(address indexed account, uint256 amount);

    /// @notice Emitted when notifying a contract owner that its workflow ended reverted or ran out of gas.
    /// @dev The workflow ended regardless; see IWorkflowClient.
    /// @param workflowId The workflow.
    /// @param client The owner that was notified.
    event ClientNotificationFailed(uint256 indexed workflowId, address indexed client);

    /// @notice Stops dispatching new jobs for a workflow. Owner only.
    /// @dev Jobs in flight keep running and their answers are recorded; steps that become ready meanwhile,
    /// including retries, are deferred. A paused workflow still completes or fails as those answers arrive.
    /// Reverts with UnknownWorkflow; NotWorkflowOwner; WrongWorkflowStatus unless Running; Reentered.
    /// @param workflowId The workflow.
    function pause(uint256 workflowId) external;

    /// @notice Restarts a paused workflow. Owner only.
    /// @dev Dispatches up to MAX_DISPATCH_PER_DELIVERY ready steps; `advance` dispatches any others.
    /// Reverts with UnknownWorkflow; NotWorkflowOwner; WrongWorkflowStatus unless Paused; Reentered.
    /// @param workflowId The workflow.
    function resume(uint256 workflowId) external;

    /// @notice Ends a workflow for good and refunds its unspent balance to the owner. Owner only.
    /// @dev Payments for jobs already in flight are not recovered (unless Lilypad sends them back:
    /// `receiveJobRefund`); their answers are ignored (ResultIgnored). Notifies a contract owner like any
    /// other end.
    /// Reverts with UnknownWorkflow; NotWorkflowOwner; WrongWorkflowStatus unless Running or Paused;
    /// Reentered.
    /// @param workflowId The workflow.
    function cancel(uint256 workflowId) external;

    /// @notice Dispatches ready steps that were deferred. Anyone may call.
    /// @dev Works through the queue in order and stops after `maxDispatches` dispatches (a step served from
    /// the result cache counts as one; and at most MAX_NOTIFY_PER_DELIVERY times as many dependents
    /// notified); returns 0 rather than reverting when
    /// nothing is ready, so keepers can call it blindly. Reverts with InsufficientGas when the gas limit
    /// cannot guarantee a due dispatch its gas. On an ended workflow whose owner contract's notification
    /// was deferred (ClientNotificationDeferred), makes that notification and returns 0.
    /// Reverts with UnknownWorkflow; WrongWorkflowStatus unless Running (or ended with a notification
    /// due); Reentered.
    /// @param workflowId The workflow.
    /// @param maxDispatches Most steps to dispatch in this call, to keep its gas bounded.
    /// @return dispatched Number of steps dispatched or served from the result cache.
    function advance(uint256 workflowId, uint256 maxDispatches) external returns (uint256 dispatched);

    /// @notice Gives up on an in-flight attempt older than its step's timeout. Anyone may call.
    /// @dev Counts as a failed attempt: emits StepExpired, then StepFailed with reason "expired", then
    /// retries the step (dispatched, or deferred if paused) or, with no retries left, fails the workflow.
    /// The expired job's payment is not recovered (unless Lilypad sends it back: `receiveJobRefund`) and
    /// its late answer is ignored.
    /// Reverts with UnknownWorkflow; UnknownStep; WrongWorkflowStatus unless Running or Paused;
    /// StepNotExpirable unless the step is Dispatched, has a timeout, and block.timestamp is at least
    /// dispatchedAt + timeout; Reentered.
    /// @param workflowId The workflow.
    /// @param stepIndex Position of the step.
    function expire(uint256 workflowId, uint256 stepIndex) external;

    /// @notice Sends the caller its refundable balance, accumulated from the workflows it owned.
    /// @dev Pull payment, so that an owner that rejects ether cannot block a workflow from ending.
    /// Reverts with NothingToWithdraw; WithdrawFailed if the transfer fails; Reentered.
    /// @return amount Amount sent, in the escrow's unit (wei or token units).
    function withdraw() external returns (uint256 amount);

    /// @notice Number of workflows submitted so far, which is also the latest workflow id.
    /// @return The count.
    function workflowCount() external view returns (uint256);

    /// @notice State of a workflow as a whole.
    /// @dev Reverts with UnknownWorkflow.
    /// @param workflowId The workflow.
    /// @return The workflow's summary.
    function getWorkflow(uint256 workflowId) external view returns (WorkflowSummary memory);

    /// @notice State of one step.
    /// @dev Reverts with UnknownWorkflow or UnknownStep.
    /// @param workflowId The workflow.
    /// @param stepIndex Position of the step.
    /// @return The step's state.
    function getStep(uint256 workflowId, uint256 stepIndex) external view returns (StepState memory);

    /// @notice State of every step, in position order.
    /// @dev Reverts with UnknownWorkflow. Meant for off-chain readers; up to MAX_STEPS entries.
    /// @param workflowId The workflow.
    /// @return The steps' states.
    function getSteps(uint256 workflowId) external view returns (StepState[] memory);

    /// @notice Result CID of a step, looked up by its id, for contracts consuming a workflow's output.
    /// @dev Empty exactly while the step has no result: a result is always a CID, never empty.
    /// Reverts with UnknownWorkflow or UnknownStepId.
    /// @param workflowId The workflow.
    /// @param stepId The step's id.
    /// @return cid The result CID, or empty.
    function resultOf(uint256 workflowId, uint64 stepId) external view returns (string memory cid);

    /// @notice Position of a step, looked up by its id; positions are what `getStep` and `expire` take.
    /// @dev Reverts with UnknownWorkflow or UnknownStepId.
    /// @param workflowId The workflow.
    /// @param stepId The step's id.
    /// @return stepIndex Its position in the submitted array.
    function stepIndexOf(uint256 workflowId, uint64 stepId) external view returns (uint256 stepIndex);

    /// @notice The result the cache holds for a key (see StepServedFromCache), for clients that check
    /// before submitting or audit an entry.
    /// @dev The key is keccak256 of the module name's length as one byte, the module name's bytes and the
    /// resolved params exactly as they would be sent to Lilypad (on Lilypad v2, the inputs joined by
    /// INPUTS_SEPARATOR). A registry is bound to one Lilypad, so its cache is that Lilypad's results.
    /// @param key The cache key.
    /// @return cid The cached result CID, or empty when the key has none.
    /// @return jobId The job whose result it is, 0 when none.
    function cachedResult(bytes32 key) external view returns (string memory cid, uint256 jobId);

    /// @notice The gas a dispatch needs, so that a keeper can choose a gas limit that dispatches.
    /// @dev A call that dispatches k steps needs about k * gasPerDispatch besides its own base cost; with
    /// less, `advance`, `expire`, `resume` and `submit` revert with InsufficientGas rather than dispatch
    /// with too little (never failing a step), and a Lilypad callback leaves the steps for `advance`.
    /// @return callGas Gas given to each call into Lilypad's job submission.
    /// @return gasPerDispatch An upper bound of the gas one dispatch takes, the call included, for the
    /// longest params a step can have.
    function dispatchGas() external view returns (uint256 callGas, uint256 gasPerDispatch);

    /// @notice What an account can `withdraw`, in the escrow's unit.
    /// @param account The account.
    /// @return The refundable balance.
    function refundableOf(address account) external view returns (uint256);

    /// @notice Deposit `submit` requires for these steps: the sum over all steps of cost * (1 + retries),
    /// enough for every attempt of every step.
    /// @dev Does not validate the steps; `submit` does.
    /// @param steps The steps as they would be submitted.
    /// @return The required deposit in wei.
    function requiredDeposit(StepDefinition[] calldata steps) external pure returns (uint256);

    /// @notice The Lilypad contract jobs are submitted to and answers are accepted from.
    /// @return The Lilypad contract's address.
    function lilypad() external view returns (address);


    /// @notice The step attempt a job was submitted for.
    /// @dev Reverts with UnknownJob for an id never issued here, and for one whose step completed with it
    /// (its slot then holds the result's digest). Whoever answered chooses that digest, so for a completed
    /// job this may instead read as some other attempt: nothing the registry does relies on it, as an
    /// answer is taken only for the step whose own state carries the job id.
    /// @param jobId The Lilypad job id.
    /// @return workflowId The workflow.
    /// @return stepIndex The step's position.
    /// @return attempt The attempt, from 1.
    function jobOf(uint256 jobId) external view returns (uint256 workflowId, uint256 stepIndex, uint256 attempt);

    /// @notice Whether a job is the attempt in flight of a live workflow's step and its deadline has not
    /// passed, so that an answer to it now would be taken as that attempt's answer.
    /// @dev For a Lilypad that wants to pay only for answers that count (the local stand-in refunds the
    /// others). False for unknown ids.
    /// @param jobId The Lilypad job id.
    /// @return True while an answer would count.
    function jobInFlight(uint256 jobId) external view returns (bool);
}
