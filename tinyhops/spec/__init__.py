"""The workflow spec: the `.thops.json` format, its schema, and the normalized DAG a file becomes.

Owns: the model (`model`), reading, validating and normalizing files (`document`), JSON text with its syntax
errors in words (`json_text`), schema violations in words (`schema_messages`), params templates (`params`),
step ids that are numbers or names (`step_ids`), workflow parameters (`parameters`), ether amounts (`units`),
size limits shared with the contracts (`limits`), the sample workflow (`sample`) and guards on raw JSON text
(`json_safety`). The schema itself is `schemas/` at the root of the checkout, shipped with the package.

May import: `tinyhops.errors`, `tinyhops.encoding.params_segments`, eth-hash (a name's keccak). Never Ape, never
the chain.
"""

from tinyhops.spec.document import SCHEMA_PATH, from_document, load, problems, schema, schema_problems
from tinyhops.spec.model import MODULE_NAME, Output, Step, Workflow

__all__ = [
    "MODULE_NAME",
    "SCHEMA_PATH",
    "Output",
    "Step",
    "Workflow",
    "from_document",
    "load",
    "problems",
    "schema",
    "schema_problems",
]
