"""The module catalog: what each Lilypad module takes and makes, one JSON file per module in `catalog/`,
checked against `schemas/module.schema.json` (both at the root of the checkout, shipped with the package).

Owns: reading and checking entries (`entries`), drafting an entry from a module's Go template
(`go_template`, `template_import`), checking a workflow's steps against the entries (`workflow_checks`), and
which steps may use the result cache by default (`cache_defaults`).
May import: `tinyhops.errors`, `tinyhops.spec` (params, the model). Never Ape, never the chain.
"""

from tinyhops.catalog.cache_defaults import with_cache_defaults
from tinyhops.catalog.entries import (
    CATALOG_DIR,
    SCHEMA_PATH,
    Catalog,
    ModuleEntry,
    entry_problems,
    load_catalog,
    shipped_catalog,
)

__all__ = [
    "CATALOG_DIR",
    "SCHEMA_PATH",
    "Catalog",
    "ModuleEntry",
    "entry_problems",
    "load_catalog",
    "shipped_catalog",
    "with_cache_defaults",
]
