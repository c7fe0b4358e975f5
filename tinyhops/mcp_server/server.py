"""The MCP wiring: the low-level `mcp` Server with the tools of `tools`, each call's arguments checked against the
tool's input schema before it runs and its result against the output schema before it leaves; a refused call is
a tool error (`isError`) whose text is the one-line reason, so the agent can correct itself."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
import mcp_types as types
from jsonschema import Draft202012Validator
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server

from tinyhops.errors import TinyHopsError, json_path
from tinyhops.mcp_server.operations import Operator, error_text
from tinyhops.mcp_server.tools import TOOLS, ToolDeclaration

INSTRUCTIONS = (
    "Tiny Hops runs workflows of Lilypad compute modules on chain. list_modules and describe_module say what each "
    "module takes and makes; compose a workflow document, check it with validate_workflow and estimate_cost, "
    "submit_workflow it (it spends the operator's deposit, within the budget the operator set), poll get_workflow "
    "until ended, and read_output the result files (<resultCid>/stdout, <resultCid>/outputs/...)."
)


def tool_definition(declared: ToolDeclaration) -> types.Tool:
    return types.Tool(
        name=declared.name,
        title=declared.title,
        description=declared.description,
        input_schema=declared.input_schema,
        output_schema=declared.output_schema,
        annotations=types.ToolAnnotations(
            title=declared.title,
            read_only_hint=declared.read_only,
            destructive_hint=declared.destructive,
            idempotent_hint=declared.idempotent,
            open_world_hint=declared.open_world,
        ),
    )


def _refused(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True)


def call(operator: Operator, name: str, arguments: dict[str, Any] | None) -> types.CallToolResult:
    """Run tool `name`: its arguments checked, its result checked, any refusal one line of text."""
    declared = next((tool for tool in TOOLS if tool.name == name), None)
    if declared is None:
        return _refused(f"no tool {name!r} (tools: {', '.join(tool.name for tool in TOOLS)})")
    given = arguments or {}
    bad = sorted(Draft202012Validator(declared.input_schema).iter_errors(given), key=lambda e: list(e.absolute_path))
    if bad:
        return _refused("; ".join(f"arguments {json_path(tuple(e.absolute_path))}: {e.message}" for e in bad))
    work: Callable[..., dict[str, Any]] = getattr(operator, name)
    try:
        result = work(**given)
    except TinyHopsError as error:
        return _refused(error_text(error))
    wrong = next(iter(Draft202012Validator(declared.output_schema).iter_errors(result)), None)
    if wrong is not None:  # a bug of ours: say so rather than hand the agent what the schema does not promise
        return _refused(f"internal error: the result of {name} does not fit its schema: {wrong.message}")
    return types.CallToolResult(
        content=[types.TextContent(text=json.dumps(result, ensure_ascii=False))], structured_content=result
    )


def build(operator: Operator) -> Server[Any]:
    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[tool_definition(tool) for tool in TOOLS])

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        return call(operator, params.name, params.arguments)

    from importlib.metadata import version

    return Server(
        "tiny-hops",
        version=version("tinyhops"),
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


def serve(operator: Operator) -> None:
    """Serve MCP on this process's stdin and stdout until the client closes them."""
    server = build(operator)

    async def run() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(run)
