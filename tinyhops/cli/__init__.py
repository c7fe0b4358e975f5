"""The `tiny-hops` command line and the `ape run` scripts: each chain command is defined once.

Owns: `main` (the `tiny-hops` group and its offline commands), `chain_commands` (what the chain
commands do once connected), `ape_scripts` (the same commands for `ape run`), `reporting` (the one
place an error becomes one line and an exit code), `monitor`, `cat`, `demo`.

May import everything in `tinyhops` except `tinyhops.testing`. The offline commands never import Ape:
chain modules are imported inside the commands that need them.
"""
