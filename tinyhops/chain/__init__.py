"""Tiny Hops on a chain: connecting, accounts, the deployed contracts and the registry client.

Owns: `connection` (a node by URL for `tiny-hops`), `accounts` (who signs), `binding` (the compiled
contracts bound to addresses), `deploy` (deploying a stack) and `address_book` (where it was deployed,
per chain), `registry_client` (every read and write of the registry, and the status types),
`submitted_definition` (a workflow read back from its submit), `keeper` (advancing and expiring
workflows), `devchain` (the local anvil of `make chain`).

May import: `tinyhops.spec`, `tinyhops.encoding`, `tinyhops.errors`, `tinyhops.paths`; Ape only inside
functions, so that importing this package stays cheap.
"""
