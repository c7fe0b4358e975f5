// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IEtherEscrowRegistry} from "../interfaces/IEtherEscrowRegistry.sol";
import {IWorkflowRegistry} from "../interfaces/IWorkflowRegistry.sol";
import {IWorkflowClient} from "../interfaces/IWorkflowClient.sol";

/// @title MemeStudio
/// @notice Example Tiny Hops client: customers order meme workflows here, paying the deposit in ether; the
/// studio submits each one to the registry as its owner, remembers which customer ordered it, serves the
/// final meme's CID, and passes each workflow's refund on to the customer who paid for it.
/// @dev The registry refunds the studio, the owner, in one balance for all its workflows. The studio splits
/// it by order: an order's refund is what the registry says it refunded for that workflow (everything
/// deposited for it, here or straight through `registry.fund`, less what was spent), read from its views,
/// so the split does not depend on the finish callback having run and every wei reaches a customer. Refunds
/// are pulled: `settle` credits a finished order's refund to its customer (again, for what came in since,
/// when a Lilypad sent a job's payment back after the end), `withdrawRefund` pays a customer everything
/// credited to them. A failed or cancelled order can be redriven by its customer (`redrive`): the run that
/// ended is settled first, then the registry's figures start again for the new run, and so does `credited`.
contract MemeStudio is IWorkflowClient {
    /// @notice Thrown when someone other than the registry reports a finished workflow.
    /// @param caller The rejected caller.
    error NotRegistry(address caller);

    /// @notice Thrown when a workflow was not ordered through this studio.
    /// @param workflowId The workflow.
    error UnknownOrder(uint256 workflowId);

    /// @notice Thrown when someone other than an order's customer tries to cancel or redrive it.
    /// @param workflowId The workflow.
    /// @param caller The rejected caller.
    error NotCustomer(uint256 workflowId, address caller);

    /// @notice Thrown when settling an order whose workflow has not ended.
    /// @param workflowId The workflow.
    error OrderNotFinished(uint256 workflowId);

    /// @notice Thrown when settling an order with nothing (more) to credit.
    /// @param workflowId The workflow.
    error AlreadySettled(uint256 workflowId);

    /// @notice Thrown when a customer with nothing credited asks for a refund.
    /// @param customer The customer.
    error NothingToWithdraw(address customer);

    /// @notice Thrown when sending a customer their refund failed.
    /// @param customer The customer.
    /// @param amount The refund.
    error RefundFailed(address customer, uint256 amount);

    /// @notice Thrown when ether arrives from anyone but the registry.
    /// @param sender The sender.
    error UnexpectedEther(address sender);

    /// @notice Emitted when a customer ordered a meme workflow.
    /// @param workflowId The registry's workflow id.
    /// @param customer The customer.
    /// @param finalStepId Id of the step whose result is the meme.
    /// @param deposit Wei deposited with the order.
    event MemeOrdered(uint256 indexed workflowId, address indexed customer, uint64 finalStepId, uint256 deposit);

    /// @notice Emitted when the registry reported that an order's workflow ended.
    /// @param workflowId The workflow.
    /// @param status Its final status.
    event MemeFinished(uint256 indexed workflowId, IWorkflowRegistry.WorkflowStatus status);

    /// @notice Emitted when a finished order's refund was credited to its customer.
    /// @param workflowId The workflow.
    /// @param customer The customer credited.
    /// @param amount Wei credited.
    event RefundCredited(uint256 indexed workflowId, address indexed customer, uint256 amount);

    /// @notice Emitted when a customer redrove a failed or cancelled order: its workflow's next run started.
    /// @param workflowId The workflow.
    /// @param run The new run's number, as the registry counts it.
    /// @param deposit Wei deposited for the new run.
    event MemeRedriven(uint256 indexed workflowId, uint16 run, uint256 deposit);

    /// @notice Emitted when a customer withdrew their credited refunds.
    /// @param customer The customer, also the recipient.
    /// @param amount Wei sent.
    event RefundWithdrawn(address indexed customer, uint256 amount);

    /// @notice One order.
    /// @param customer Who ordered and paid for it.
    /// @param deposited Wei the studio deposited for it: the order's value plus top-ups and redrives made here.
    /// @param finalStepId Id of the step whose result is the meme.
    /// @param status Final status of its latest run as reported by the registry's callback; None until then.
    /// @param credited Wei of its current run's refund credited to the customer so far.
    struct Order {
        address customer;
        uint96 deposited;
        uint64 finalStepId;
        IWorkflowRegistry.WorkflowStatus status;
        uint96 credited;
    }

    /// @notice The registry the studio submits to.
    IEtherEscrowRegistry public immutable registry;

    /// @notice Orders by workflow id.
    mapping(uint256 workflowId => Order) public orders;

    /// @notice Refunds credited to each customer and not yet withdrawn.
    mapping(address customer => uint256 amount) public refundOf;

    /// @notice Points the studio at the Tiny Hops registry it submits workflows to.
    /// @param registry_ The Tiny Hops registry.
    constructor(IEtherEscrowRegistry registry_) {
        registry = registry_;
    }

    /// @notice Orders a meme: submits `steps` to the registry with msg.value as the deposit. The caller
    /// becomes the order's customer.
    /// @dev Bubbles up the registry's submit errors, such as InsufficientDeposit (the registry also caps a
    /// deposit at uint96, so the cast below never truncates).
    /// @param steps The workflow, as `IEtherEscrowRegistry.submit` takes it.
    /// @param finalStepId Id of the step whose result CID is the meme.
    /// @return workflowId The registry's workflow id.
    function order(IWorkflowRegistry.StepDefinition[] calldata steps, uint64 finalStepId)
        external
        payable
        returns (uint256 workflowId)
    {
        workflowId = registry.submit{value: msg.value}(steps);
        // Field by field: a workflow can end inside `submit` (a dispatch that reverts fails it), and the
        // callback has then already recorded its status.
        Order storage o = orders[workflowId];
        o.customer = msg.sender;
        o.deposited = uint96(msg.value);
        o.finalStepId = finalStepId;
        emit MemeOrdered(workflowId, msg.sender, finalStepId, msg.value);
    }

    /// @notice Adds msg.value to an order's deposit; it comes back to the order's customer when the
    /// workflow ends. Anyone may top up any order.
    /// @dev Reverts with UnknownOrder, or the registry's fund errors (DepositTooLarge before any
    /// truncating cast could matter).
    /// @param workflowId The workflow.
    function topUp(uint256 workflowId) external payable {
        Order storage o = _order(workflowId);
        o.deposited += uint96(msg.value);
        registry.fund{value: msg.value}(workflowId);
    }

    /// @notice Cancels an order's workflow. Its customer only.
    /// @dev Reverts with UnknownOrder, NotCustomer, or the registry's cancel errors.
    /// @param workflowId The workflow.
    function cancel(uint256 workflowId) external {
        if (_order(workflowId).customer != msg.sender) revert NotCustomer(workflowId, msg.sender);
        registry.cancel(workflowId);
    }

    /// @notice Starts the next run of a failed or cancelled order's workflow with msg.value as its deposit.
    /// Its customer only.
    /// @dev Settles the run that ended first (its refund, what is left of it, goes to the customer), since
    /// the registry's figures then start again for the new run: a late payment Lilypad sends back for an
    /// old run's job is counted in the new run's refund, so every wei still reaches the customer. Reverts
    /// with UnknownOrder, NotCustomer, or the registry's redrive errors (WrongWorkflowStatus,
    /// InsufficientDeposit, DepositTooLarge before any truncating cast could matter).
    /// @param workflowId The workflow.
    function redrive(uint256 workflowId) external payable {
        Order storage o = _order(workflowId);
        if (o.customer != msg.sender) revert NotCustomer(workflowId, msg.sender);
        IWorkflowRegistry.WorkflowSummary memory summary = registry.getWorkflow(workflowId);
        if (!_isLive(summary.status)) _credit(workflowId, o, summary.refunded);
        o.credited = 0;
        o.deposited += uint96(msg.value);
        registry.redrive{value: msg.value}(workflowId);
        // The ended run's deferred notification may have been made just now, and the new run may have
        // ended inside the call already (a dispatch that reverts fails it): keep what is true now.
        if (_isLive(registry.getWorkflow(workflowId).status)) o.status = IWorkflowRegistry.WorkflowStatus.None;
        emit MemeRedriven(workflowId, summary.run + 1, msg.value);
    }

    /// @notice Credits a finished order's refund to its customer: what the registry refunded for it, less
    /// what was credited before. Anyone may call.
    /// @dev Reverts with UnknownOrder, OrderNotFinished or AlreadySettled (nothing new to credit).
    /// @param workflowId The workflow.
    /// @return refund Wei credited.
    function settle(uint256 workflowId) external returns (uint256 refund) {
        Order storage o = _order(workflowId);
        IWorkflowRegistry.WorkflowSummary memory summary = registry.getWorkflow(workflowId);
        if (_isLive(summary.status)) revert OrderNotFinished(workflowId);
        refund = _credit(workflowId, o, summary.refunded);
        if (refund == 0) revert AlreadySettled(workflowId);
    }

    /// @notice Sends the caller every refund credited to them, pulling the studio's refunds from the
    /// registry first when the studio's own balance falls short.
    /// @dev Reverts with NothingToWithdraw or RefundFailed.
    /// @return amount Wei sent.
    function withdrawRefund() external returns (uint256 amount) {
        amount = refundOf[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        refundOf[msg.sender] = 0;
        if (address(this).balance < amount) registry.withdraw();
        emit RefundWithdrawn(msg.sender, amount);
        (bool paid,) = msg.sender.call{value: amount}("");
        if (!paid) revert RefundFailed(msg.sender, amount);
    }

    /// @notice The meme: the result CID of an order's final step, empty until that step completes.
    /// @dev Reverts with UnknownOrder.
    /// @param workflowId The workflow.
    /// @return cid The final step's result CID.
    function memeOf(uint256 workflowId) external view returns (string memory cid) {
        return registry.resultOf(workflowId, _order(workflowId).finalStepId);
    }

    /// @inheritdoc IWorkflowClient
    /// @dev Only records the news: the registry gives this call a fixed stipend.
    function onWorkflowFinished(uint256 workflowId, IWorkflowRegistry.WorkflowStatus status) external {
        if (msg.sender != address(registry)) revert NotRegistry(msg.sender);
        orders[workflowId].status = status;
        emit MemeFinished(workflowId, status);
    }

    /// @notice Accepts the studio's refunds from the registry, and nothing else.
    receive() external payable {
        if (msg.sender != address(registry)) revert UnexpectedEther(msg.sender);
    }

    /// @dev Credits the customer what the current run refunded (everything deposited for it, top-ups and
    /// gifts to the registry included) less what was credited before.
    function _credit(uint256 workflowId, Order storage o, uint256 refunded) private returns (uint256 refund) {
        refund = refunded - o.credited;
        if (refund == 0) return 0;
        o.credited = uint96(refunded);
        refundOf[o.customer] += refund;
        emit RefundCredited(workflowId, o.customer, refund);
    }

    function _order(uint256 workflowId) private view returns (Order storage o) {
        o = orders[workflowId];
        if (o.customer == address(0)) revert UnknownOrder(workflowId);
    }

    function _isLive(IWorkflowRegistry.WorkflowStatus status) private pure returns (bool) {
        return status == IWorkflowRegistry.WorkflowStatus.Running || status == IWorkflowRegistry.WorkflowStatus.Paused;
    }
}
