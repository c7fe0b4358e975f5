"""The MCP tools of `tiny-hops mcp`, declared once: name, title, description, input and output JSON Schemas and
hints (MCP's ToolAnnotations). Plain data, so the declarations can be read and tested without a server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WEI = {"type": "string", "pattern": "^(0|[1-9][0-9]*)$", "description": "A whole number of wei, in decimal digits."}
WORKFLOW = {
    "type": "object",
    "description": "A Tiny Hops workflow document (.thops.json, https://tinyhops.dev/schemas/thops.schema.json): "
    '{"version": "v0.0.1", "steps": [{"stepId": "1", "stepModule": {"cmd": "cowsay:v0.0.1", "params": "Moo", '
    '"cost": "1"}}, ...]}. A step id is a number or a name ("fetch-data"). A step\'s params may hold '
    "{{stepId:ID}} (the result CID of step ID) or {{stepId:ID}}/stdout (a file of that result), and {{param:NAME}} "
    'for a parameter the document declares in "parameters" (type, default, description); costs are in ether per '
    "attempt.",
}
PARAMETERS = {
    "type": "object",
    "description": "Values for the workflow's declared parameters, by name: each of its declared type (a string, "
    'integer, number or boolean), or text as on the command line ("5", "true"). A parameter without a default '
    "must be given; one the workflow does not declare is a problem.",
    "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_-]{0,63}$"},
    "additionalProperties": {"type": ["string", "integer", "number", "boolean"]},
}
STEP_ID = {
    "type": ["integer", "string"],
    "description": "The step's id as its document wrote it: its name, or its number.",
}
PROBLEM = {
    "type": "object",
    "required": ["path", "kind", "message"],
    "properties": {
        "path": {"type": "string", "description": "JSON path of the problem in the document ('' for the document)."},
        "stepId": {
            "type": ["integer", "string", "null"],
            "description": "The step the problem belongs to, if any: its name, or its number.",
        },
        "kind": {"type": "string", "description": "A stable name for the kind of problem."},
        "message": {"type": "string", "description": "What is wrong, in one line."},
    },
}
MODULE_SUMMARY = {
    "type": "object",
    "required": ["name", "cmd", "title", "description", "inputs", "required", "primaryOutput", "deterministic"],
    "properties": {
        "name": {"type": "string", "description": "Catalog name (for describe_module)."},
        "cmd": {"type": "string", "description": "What a step writes in stepModule.cmd."},
        "title": {"type": "string", "description": "Short name."},
        "description": {"type": "string", "description": "What the module does."},
        "inputs": {"type": "array", "items": {"type": "string"}, "description": "Input names."},
        "required": {"type": "array", "items": {"type": "string"}, "description": "Inputs that must be given."},
        "primaryOutput": {"type": "string", "description": "The result file a later step references."},
        "deterministic": {"type": "boolean", "description": "Same inputs, same bytes."},
        "cost": {"type": "object", "description": "Price per attempt by backend, in the smallest unit."},
    },
}


@dataclass(frozen=True)
class ToolDeclaration:
    name: str
    title: str
    description: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    read_only: bool
    idempotent: bool
    destructive: bool
    open_world: bool


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


LIST_MODULES = ToolDeclaration(
    "list_modules",
    "List compute modules",
    "Every module of the catalog this server knows: its name, the cmd a workflow step uses, its inputs (and which "
    "are required), the result file a later step should reference, whether it is deterministic, its price.",
    _object({}, []),
    _object(
        {"modules": {"type": "array", "items": MODULE_SUMMARY, "description": "The catalog's modules."}}, ["modules"]
    ),
    read_only=True,
    idempotent=True,
    destructive=False,
    open_world=False,
)
DESCRIBE_MODULE = ToolDeclaration(
    "describe_module",
    "Describe a module",
    "The whole catalog entry of one module: inputs as a JSON Schema (types, defaults, constraints, hints such as "
    "base64 JSON or a CID of a media type), how the inputs travel in a step's params, the result directory's "
    "files with media types, machine needs, runtime, price per backend, and what is not verified.",
    _object({"name": {"type": "string", "minLength": 1, "description": "Catalog name or cmd."}}, ["name"]),
    _object(
        {"module": {"type": "object", "description": "The catalog entry (schemas/module.schema.json)."}}, ["module"]
    ),
    read_only=True,
    idempotent=True,
    destructive=False,
    open_world=False,
)
VALIDATE_WORKFLOW = ToolDeclaration(
    "validate_workflow",
    "Validate a workflow",
    "Check a workflow document without sending anything: every problem at once, each with its JSON path and "
    "step (schema, duplicate ids, unknown references, cycles, costs), and warnings from the module catalog "
    "(inputs the module does not take, missing required inputs, modules the catalog does not know).",
    # Any JSON value: a document that is not even an object gets its problem back, as every other one does.
    _object({"workflow": {"description": WORKFLOW["description"]}, "parameters": PARAMETERS}, ["workflow"]),
    _object(
        {
            "valid": {"type": "boolean", "description": "Whether the document can be submitted."},
            "problems": {"type": "array", "items": PROBLEM, "description": "Every problem; empty when valid."},
            "warnings": {"type": "array", "items": PROBLEM, "description": "Catalog findings; never block."},
            "steps": {"type": "integer", "description": "Number of steps (when valid)."},
            "requiredDepositWei": {**WEI, "description": "Every attempt of every step paid, in wei (when valid)."},
        },
        ["valid", "problems", "warnings"],
    ),
    read_only=True,
    idempotent=True,
    destructive=False,
    open_world=False,
)
ESTIMATE_COST = ToolDeclaration(
    "estimate_cost",
    "Estimate a workflow's cost",
    "What submitting the workflow would deposit (every attempt of every step, retries included) against the "
    "prices the connected Lilypad charges, and whether it fits the budget this server was started with. The "
    "unspent part of a deposit is refundable to the operator.",
    _object({"workflow": WORKFLOW, "parameters": PARAMETERS}, ["workflow"]),
    _object(
        {
            "requiredDepositWei": WEI,
            "steps": {
                "type": "array",
                "description": "Per step: what it offers per attempt, how many attempts, what Lilypad charges.",
                "items": {
                    "type": "object",
                    "required": ["stepId", "onChainStepId", "cmd", "costWei", "attempts", "lilypadPriceWei"],
                    "properties": {
                        "stepId": STEP_ID,
                        "onChainStepId": {"type": "integer", "description": "The uint64 id the registry knows it by."},
                        "cmd": {"type": "string", "description": "Its module."},
                        "costWei": {**WEI, "description": "What one attempt offers."},
                        "attempts": {"type": "integer", "description": "1 + retries."},
                        "lilypadPriceWei": {
                            **WEI,
                            "description": "What the connected Lilypad charges (0: not offered).",
                        },
                    },
                },
            },
            "budgetWei": {**WEI, "description": "The operator's budget for this server (--max-deposit)."},
            "budgetRemainingWei": {**WEI, "description": "What is left of it after this session's submissions."},
            "withinBudget": {"type": "boolean", "description": "Whether the deposit fits what is left."},
            "refusals": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Why submit_workflow would refuse it (empty: it would be sent).",
            },
        },
        ["requiredDepositWei", "steps", "budgetWei", "budgetRemainingWei", "withinBudget", "refusals"],
    ),
    read_only=True,
    idempotent=True,
    destructive=False,
    open_world=True,
)
SUBMIT_WORKFLOW = ToolDeclaration(
    "submit_workflow",
    "Submit a workflow (spends the operator's funds)",
    "Validate the workflow, check its prices, and submit it to the on-chain registry with a deposit signed by the "
    "operator's account; returns the workflow id. Refused, with nothing sent, when the deposit would take this "
    "session's deposits above the operator's budget (--max-deposit), or the workflow is invalid or underpriced. "
    "Each call creates a new workflow.",
    _object(
        {
            "workflow": WORKFLOW,
            "parameters": PARAMETERS,
            "deposit": {
                "type": "string",
                "pattern": "^[0-9]+(\\.[0-9]{1,18})?$",
                "description": "Deposit in ether (default: exactly what every attempt costs).",
            },
        },
        ["workflow"],
    ),
    _object(
        {
            "workflowId": {"type": "integer", "description": "The new workflow's id (for get_workflow)."},
            "depositWei": WEI,
            "budgetRemainingWei": {**WEI, "description": "What is left of the operator's budget."},
        },
        ["workflowId", "depositWei", "budgetRemainingWei"],
    ),
    read_only=False,
    idempotent=False,
    destructive=False,
    open_world=True,
)
GET_WORKFLOW = ToolDeclaration(
    "get_workflow",
    "Get a workflow's status",
    "A workflow's status on chain and each step's: status (queued, dispatched, completed, failed, skipped, "
    "cancelled), job id, result CID (read it with read_output) and the reason of every failed attempt. Poll it "
    "until `ended` is true.",
    _object(
        {"workflowId": {"type": "integer", "minimum": 1, "description": "The id submit_workflow returned."}},
        ["workflowId"],
    ),
    _object(
        {
            "workflowId": {"type": "integer", "description": "The workflow."},
            "status": {"type": "string", "description": "running, paused, completed, failed or cancelled."},
            "ended": {"type": "boolean", "description": "Whether it will change no more."},
            "completed": {"type": "integer", "description": "Steps completed."},
            "stepCount": {"type": "integer", "description": "Steps in all."},
            "spentWei": {**WEI, "description": "Paid to Lilypad so far."},
            "steps": {
                "type": "array",
                "description": "Each step.",
                "items": {
                    "type": "object",
                    "required": ["stepId", "onChainStepId", "status", "cmd", "jobId", "resultCid", "failures"],
                    "properties": {
                        "stepId": {
                            **STEP_ID,
                            "description": "The step: its name when the workflow was submitted from this server's "
                            "machine with named steps, else its number.",
                        },
                        "onChainStepId": {
                            "type": "integer",
                            "description": "The uint64 id the registry knows it by (resultOf(workflowId, it)); a "
                            "named step's is uint64(bytes8(keccak256(name))).",
                        },
                        "status": {"type": "string", "description": "Its status."},
                        "cmd": {"type": "string", "description": "Its module."},
                        "jobId": {"type": "integer", "description": "Lilypad's job id (0: not dispatched)."},
                        "resultCid": {"type": ["string", "null"], "description": "The result directory's CID."},
                        "failures": {"type": "array", "items": {"type": "string"}, "description": "Failed attempts."},
                    },
                },
            },
        },
        ["workflowId", "status", "ended", "completed", "stepCount", "spentWei", "steps"],
    ),
    read_only=True,
    idempotent=True,
    destructive=False,
    open_world=True,
)
READ_OUTPUT = ToolDeclaration(
    "read_output",
    "Read a result file",
    "A file of a step's result from the content store: CID/PATH such as <resultCid>/stdout or "
    "<resultCid>/outputs/image.png. Text comes back as text, other content as base64 with its media type; a "
    "directory is listed.",
    _object(
        {
            "reference": {"type": "string", "minLength": 1, "maxLength": 1000, "description": "CID or CID/PATH."},
            "maxBytes": {
                "type": "integer",
                "minimum": 1,
                "maximum": 16 << 20,
                "default": 1 << 20,
                "description": "Refuse a file larger than this.",
            },
        },
        ["reference"],
    ),
    _object(
        {
            "reference": {"type": "string", "description": "What was read."},
            "kind": {"enum": ["file", "directory"], "description": "A file or a directory."},
            "mediaType": {"type": "string", "description": "The file's media type, sniffed from its bytes."},
            "size": {"type": "integer", "description": "Bytes of the file."},
            "text": {"type": "string", "description": "The file as UTF-8 text (text files)."},
            "base64": {"type": "string", "description": "The file's bytes in base64 (other files)."},
            "entries": {
                "type": "array",
                "description": "A directory's entries.",
                "items": {
                    "type": "object",
                    "required": ["name", "cid", "directory"],
                    "properties": {
                        "name": {"type": "string", "description": "Entry name."},
                        "cid": {"type": "string", "description": "Its CID."},
                        "size": {"type": "integer", "description": "Its size (cumulative for a directory)."},
                        "directory": {"type": "boolean", "description": "Whether it is a directory."},
                    },
                },
            },
        },
        ["reference", "kind"],
    ),
    read_only=True,
    idempotent=True,
    destructive=False,
    open_world=False,
)

TOOLS = (LIST_MODULES, DESCRIBE_MODULE, VALIDATE_WORKFLOW, ESTIMATE_COST, SUBMIT_WORKFLOW, GET_WORKFLOW, READ_OUTPUT)
