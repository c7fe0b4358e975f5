// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IEtherEscrowRegistry} from "../../interfaces/IEtherEscrowRegistry.sol";
import {IWorkflowRegistry} from "../../interfaces/IWorkflowRegistry.sol";
import {IWorkflowClient} from "../../interfaces/IWorkflowClient.sol";

/// @title IPlainSubmit
/// @notice The plain `submit(steps)` alone: IEtherEscrowRegistry overloads it (with WorkflowOptions), which
/// `abi.encodeCall` cannot choose between.
interface IPlainSubmit {
    /// @notice See IEtherEscrowRegistry.submit.
    /// @param steps The steps.
    /// @return The new workflow's id.
    function submit(IWorkflowRegistry.StepDefinition[] calldata steps) external payable returns (uint256);
}

/// @title ReentrantClient
/// @notice Test contract: a workflow owner whose finish callback calls back into the registry (withdraw,
/// submit, or cancel another of its workflows) and records how that call ended.
contract ReentrantClient is IWorkflowClient {
    /// @notice The registry function the callback re-enters.
    enum Reentry {
        Withdraw,
        Submit,
        Cancel
    }

    /// @notice What the last callback saw, in one slot so that it fits the registry's stipend.
    /// @param workflowId The workflow reported finished.
    /// @param status Its reported status.
    /// @param reentrySucceeded Whether the re-entrant call succeeded.
    /// @param reentryError First four bytes of the re-entrant call's revert data.
    struct Outcome {
        uint64 workflowId;
        IWorkflowRegistry.WorkflowStatus status;
        bool reentrySucceeded;
        bytes4 reentryError;
    }

    /// @notice The registry this client re-enters.
    IEtherEscrowRegistry public immutable registry;

    /// @notice The call the callback makes.
    Reentry public reentry;

    /// @notice The workflow the callback tries to cancel in Cancel mode.
    uint256 public cancelTarget;

    /// @notice Whether the callback re-raises the re-entrant call's revert.
    bool public bubble;

    /// @notice What the last callback saw.
    Outcome public outcome;

    /// @notice Points the client at the registry it submits to and re-enters.
    /// @param registry_ The registry to submit to and re-enter.
    constructor(IEtherEscrowRegistry registry_) {
        registry = registry_;
    }

    /// @notice Chooses what the callback does.
    /// @param reentry_ The registry function to re-enter.
    /// @param cancelTarget_ The workflow to cancel in Cancel mode.
    /// @param bubble_ Whether to re-raise the re-entrant call's revert.
    function configure(Reentry reentry_, uint256 cancelTarget_, bool bubble_) external {
        reentry = reentry_;
        cancelTarget = cancelTarget_;
        bubble = bubble_;
    }

    /// @notice Submits a workflow owned by this contract, msg.value being its deposit.
    /// @param steps The workflow's steps.
    /// @return workflowId The new workflow's id.
    function submit(IWorkflowRegistry.StepDefinition[] calldata steps) external payable returns (uint256 workflowId) {
        return registry.submit{value: msg.value}(steps);
    }

    /// @notice Cancels a workflow this contract owns; the registry reports its end back while cancelling.
    /// @param workflowId The workflow.
    function cancel(uint256 workflowId) external {
        registry.cancel(workflowId);
    }

    /// @inheritdoc IWorkflowClient
    function onWorkflowFinished(uint256 workflowId, IWorkflowRegistry.WorkflowStatus status) external {
        bytes memory call;
        if (reentry == Reentry.Withdraw) {
            call = abi.encodeCall(IWorkflowRegistry.withdraw, ());
        } else if (reentry == Reentry.Submit) {
            call = abi.encodeCall(IPlainSubmit.submit, (new IWorkflowRegistry.StepDefinition[](0)));
        } else {
            call = abi.encodeCall(IWorkflowRegistry.cancel, (cancelTarget));
        }
        (bool succeeded, bytes memory returned) = address(registry).call(call);
        if (!succeeded && bubble) {
            assembly ("memory-safe") {
                revert(add(returned, 0x20), mload(returned))
            }
        }
        outcome = Outcome(uint64(workflowId), status, succeeded, succeeded ? bytes4(0) : bytes4(returned));
    }

    /// @notice Accepts refunds withdrawn from the registry.
    receive() external payable {}
}
