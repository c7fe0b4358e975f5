"""The local resource provider: follows Lilypad's job events, runs modules, posts real content ids.

Owns: `service` (the provider process's loop), `cursor` (where it left off, per chain), `executor` and
`modules` (running one job), `store` (the content-addressed output store), `cids` (CIDv0/CIDv1 of
bytes and directories), `faults` (injected faults, for the reliability suite's runs).

May import: `tinyhops.chain`, `tinyhops.errors`, `tinyhops.paths`. Never `tinyhops.testing`.
"""
