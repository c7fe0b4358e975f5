// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Size limits a workflow must respect. Each constant mirrors the one of the same name in
// tinyhops/limits.py; contracts/test/LimitsProbe.sol exposes them so the Python suite can check that both
// sides agree. Change both files together.
// (File-level constants accept only `@dev` NatSpec, hence no `@notice` below.)

/// @dev Most steps in one workflow. Step positions travel as 15-bit references in params and as uint16
/// elsewhere, so this must stay below 2^15. In practice the per-transaction gas cap binds first.
uint256 constant MAX_STEPS = 10_000;

/// @dev Most dependencies (`needs`) of one step: a join of up to this many branches. Bounds the calldata
/// and validation work of a single step.
uint256 constant MAX_NEEDS = 1024;


/// @dev Most extra attempts of a step after a failed attempt, so a step is paid for at most
/// 1 + MAX_RETRIES times.
uint256 constant MAX_RETRIES = 5;

/// @dev Longest per-step timeout in seconds (one year); a timeout of 0 means none.
uint256 constant MAX_TIMEOUT_SECONDS = 365 days;

/// @dev Longest module name in bytes, such as "sdxl:v0.9-lilypad1". Module names are stored and
/// forwarded to Lilypad verbatim, so the bound caps storage and calldata per step.
uint256 constant MAX_MODULE_BYTES = 128;

/// @dev Longest params template in bytes, as encoded for the chain (see ParamsEncoding.sol).
uint256 constant MAX_PARAMS_BYTES = 8192;

/// @dev Most reference segments (results of earlier steps) inside one step's params template. Bounds the
/// storage reads needed to resolve the params at dispatch time.
uint256 constant MAX_REFERENCES = 32;

/// @dev Largest step id: step ids are uint64 on-chain.
uint256 constant MAX_STEP_ID = type(uint64).max;

/// @dev Largest per-attempt step cost in wei: costs are uint96 on-chain (79 billion ether), so a
/// workflow's deposit and spending pack into one storage slot each.
uint256 constant MAX_COST_WEI = type(uint96).max;

/// @dev Largest deposit a workflow holds (uint96, like its spending): what every attempt of every step
/// costs must fit in it, or `submit` reverts with DepositTooLarge.
uint256 constant MAX_DEPOSIT_WEI = type(uint96).max;

/// @dev Ready steps that one result delivery (or one `submit`, `resume`) dispatches before deferring the
/// rest to the permissionless `advance`. Keeps the gas of Lilypad's callback bounded whatever the fan-out.
uint256 constant MAX_DISPATCH_PER_DELIVERY = 2;

/// @dev Dependents whose count of finished dependencies one result delivery updates before queueing the
/// rest. With MAX_DISPATCH_PER_DELIVERY this bounds a delivery's gas whatever the fan-out; `advance` with
/// `maxDispatches = n` may update up to n * MAX_NOTIFY_PER_DELIVERY.
uint256 constant MAX_NOTIFY_PER_DELIVERY = 4;

/// @dev A keeper budget's gas price cap when its WorkflowOptions.maxGasPrice is 0: 100 gwei.
uint256 constant DEFAULT_MAX_GAS_PRICE = 100 gwei;

/// @dev A keeper budget's cap per paid call when its WorkflowOptions.maxPaidPerCall is 0: 0.05 ether, a
/// 500,000-gas call at the default price cap.
uint256 constant DEFAULT_MAX_PAID_PER_CALL = 0.05 ether;
