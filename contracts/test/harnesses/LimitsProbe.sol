// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {
    MAX_STEPS,
    MAX_NEEDS,
    MAX_RETRIES,
    MAX_TIMEOUT_SECONDS,
    MAX_MODULE_BYTES,
    MAX_PARAMS_BYTES,
    MAX_REFERENCES,
    MAX_STEP_ID,
    MAX_COST_WEI,
    MAX_DEPOSIT_WEI,
    MAX_DISPATCH_PER_DELIVERY,
    MAX_NOTIFY_PER_DELIVERY,
    DEFAULT_MAX_GAS_PRICE,
    DEFAULT_MAX_PAID_PER_CALL
} from "../../interfaces/WorkflowLimits.sol";

/// @title LimitsProbe
/// @notice Exposes the constants of WorkflowLimits.sol so the Python suite can check them against
/// tinyhops/limits.py.
/// @dev Test-only: file-level constants are not part of any ABI, so each gets a getter here.
contract LimitsProbe {
    /// @notice MAX_STEPS.
    /// @return The constant's value.
    function maxSteps() external pure returns (uint256) {
        return MAX_STEPS;
    }

    /// @notice MAX_NEEDS.
    /// @return The constant's value.
    function maxNeeds() external pure returns (uint256) {
        return MAX_NEEDS;
    }

    /// @notice MAX_RETRIES.
    /// @return The constant's value.
    function maxRetries() external pure returns (uint256) {
        return MAX_RETRIES;
    }

    /// @notice MAX_TIMEOUT_SECONDS.
    /// @return The constant's value.
    function maxTimeoutSeconds() external pure returns (uint256) {
        return MAX_TIMEOUT_SECONDS;
    }

    /// @notice MAX_MODULE_BYTES.
    /// @return The constant's value.
    function maxModuleBytes() external pure returns (uint256) {
        return MAX_MODULE_BYTES;
    }

    /// @notice MAX_PARAMS_BYTES.
    /// @return The constant's value.
    function maxParamsBytes() external pure returns (uint256) {
        return MAX_PARAMS_BYTES;
    }

    /// @notice MAX_REFERENCES.
    /// @return The constant's value.
    function maxReferences() external pure returns (uint256) {
        return MAX_REFERENCES;
    }

    /// @notice MAX_STEP_ID.
    /// @return The constant's value.
    function maxStepId() external pure returns (uint256) {
        return MAX_STEP_ID;
    }

    /// @notice MAX_COST_WEI.
    /// @return The constant's value.
    function maxCostWei() external pure returns (uint256) {
        return MAX_COST_WEI;
    }

    /// @notice MAX_DISPATCH_PER_DELIVERY.
    /// @return The constant's value.
    function maxDispatchPerDelivery() external pure returns (uint256) {
        return MAX_DISPATCH_PER_DELIVERY;
    }

    /// @notice MAX_NOTIFY_PER_DELIVERY.
    /// @return The constant's value.
    function maxNotifyPerDelivery() external pure returns (uint256) {
        return MAX_NOTIFY_PER_DELIVERY;
    }

    /// @notice MAX_DEPOSIT_WEI.
    /// @return The constant's value.
    function maxDepositWei() external pure returns (uint256) {
        return MAX_DEPOSIT_WEI;
    }

    /// @notice DEFAULT_MAX_GAS_PRICE.
    /// @return The constant's value.
    function defaultMaxGasPrice() external pure returns (uint256) {
        return DEFAULT_MAX_GAS_PRICE;
    }

    /// @notice DEFAULT_MAX_PAID_PER_CALL.
    /// @return The constant's value.
    function defaultMaxPaidPerCall() external pure returns (uint256) {
        return DEFAULT_MAX_PAID_PER_CALL;
    }
}
