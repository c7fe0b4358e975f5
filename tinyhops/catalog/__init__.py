"""The module catalog: what each Lilypad module takes and makes, one JSON file per module in `catalog/`,
checked against `schemas/module.schema.json` (both at the root of the checkout, shipped with the package).

Owns: reading and checking entries (`entries`), drafting an entry from a module's Go template
(`template_import`). May import: `tinyhops.errors`. Never Ape, never the chain.
"""

from tinyhops.catalog.entries import (
    CATALOG_DIR,
    SCHEMA_PATH,
    Catalog,
    ModuleEntry,
    entry_problems,
    load_catalog,
    shipped_catalog,
)

__all__ = ["CATALOG_DIR", "SCHEMA_PATH", "Catalog", "ModuleEntry", "entry_problems", "load_catalog", "shipped_catalog"]
