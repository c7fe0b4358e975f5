"""Size limits a workflow must respect, declared once here and mirrored in
`contracts/interfaces/WorkflowLimits.sol`.

The contract enforces the same numbers; `tests/unit/chain/test_interfaces_and_encoding.py` compiles the
Solidity side and checks that both agree, so a change in one place without the other fails the suite.
"""

from typing import Final

# Step positions travel as 15-bit references in params and uint16 elsewhere. In practice the per-transaction
# gas cap binds first (see the README's gas table for the largest submit that fits 2^24 gas).
MAX_STEPS: Final = 10_000
# Dependencies of one step (after levels become edges): a join of up to this many branches.
MAX_NEEDS: Final = 1024
# Extra attempts after a failed attempt.
MAX_RETRIES: Final = 5
# Per-step timeout in seconds (0 means none); one year at most.
MAX_TIMEOUT_SECONDS: Final = 365 * 24 * 60 * 60
# Length in bytes of a module name such as "sdxl:v0.9-lilypad1".
MAX_MODULE_BYTES: Final = 128
# Length in bytes of the params template as encoded for the chain.
MAX_PARAMS_BYTES: Final = 8192
# Step references ({{stepId:N}}) inside one step's params.
MAX_REFERENCES: Final = 32
# Step ids are unsigned 64-bit integers on-chain.
MAX_STEP_ID: Final = 2**64 - 1
# Step costs are uint96 wei on-chain (79 billion ether), so a workflow's accounting packs in one slot.
MAX_COST_WEI: Final = 2**96 - 1
# A workflow's deposit is uint96 wei too: every attempt of every step must fit in it.
MAX_DEPOSIT_WEI: Final = 2**96 - 1
# Ready steps one result delivery dispatches before queueing the rest for `advance`.
MAX_DISPATCH_PER_DELIVERY: Final = 2
# Dependents one result delivery marks (counts the result towards) before queueing the rest.
MAX_NOTIFY_PER_DELIVERY: Final = 4
# A keeper budget's gas price cap when a workflow sets none (WorkflowOptions.maxGasPrice 0): 100 gwei.
DEFAULT_MAX_GAS_PRICE: Final = 100 * 10**9
# A keeper budget's cap per paid call when a workflow sets none (WorkflowOptions.maxPaidPerCall 0).
DEFAULT_MAX_PAID_PER_CALL: Final = 5 * 10**16
