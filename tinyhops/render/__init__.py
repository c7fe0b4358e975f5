"""Pure text views of workflows: the summary and DAG table (`report`), Mermaid and DOT (`graph`).

May import: `tinyhops.spec`, `tinyhops.encoding`, status types of `tinyhops.chain.registry_client`.
Never Ape.
"""
