"""`tiny-hops mcp`: a Model Context Protocol server over stdio through which an agent discovers modules (the
catalog), composes, validates, prices and submits workflows on the operator's budget, follows them and reads
their results.

Owns: the tools' declarations (`tools`), what each does (`operations`), the MCP wiring (`server`). May import
the catalog, the spec, the chain client and the content store; the CLI imports it only when `mcp` runs.
"""
