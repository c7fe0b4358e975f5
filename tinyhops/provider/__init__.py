"""The local resource provider: follows Lilypad's job events, runs modules, posts real content ids.

Owns: `service` (the provider process's loop), `cursor` (where it left off, per chain), `executor` and
`modules` (running one job, whose result is a `stdout`/`stderr`/`outputs/` directory), `store` (the local
block store, files and directories in it), `unixfs` (UnixFS CIDs as `ipfs add -r` computes them, and reading
such DAGs), `cids` (single-block CIDs and what the registry accepts), `faults` (injected faults, for the
reliability suite's runs).

May import: `tinyhops.chain`, `tinyhops.errors`, `tinyhops.paths`. Never `tinyhops.testing`.
"""
