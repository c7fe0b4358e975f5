"""`tiny-hops mcp` driven by the `mcp` client library over stdio, end to end: a scripted agent that knows nothing but
the tools discovers the modules, composes a two-step workflow (a cow's joke, then a picture of it), is told every
problem of a first draft, fixes it, prices it, is refused above the operator's budget (nothing sent), submits
within it, follows the workflow on a local chain run by the real provider, and reads both results."""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from cli_processes import ANVIL_KEYS, TINY_HOPS
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from tinyhops.chain.registry_client import WorkflowStatus
from tinyhops.testing.reliability.progress import STALL_SECONDS

BUDGET_ETHER = 20
JOKE = {"joke": "Why did the cow cross the road? To get to the udder side."}
ETHER = 10**18


class Agent:
    """Calls tools and reads their structured results; a refusal comes back as text with isError."""

    def __init__(self, session: ClientSession):
        self.session = session

    async def call(self, name: str, /, **arguments: Any) -> dict[str, Any]:
        result = await self.session.call_tool(name, arguments)
        assert not result.is_error, f"{name} refused: {result.content[0].text}"
        assert json.loads(result.content[0].text) == result.structured_content
        return result.structured_content

    async def refused(self, name: str, /, **arguments: Any) -> str:
        result = await self.session.call_tool(name, arguments)
        assert result.is_error, f"{name} was expected to refuse: {result.structured_content}"
        return result.content[0].text


def compose(modules: list[dict[str, Any]], describe: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], str, str]:
    """The agent's first draft, from what the catalog says, with the picture's prompt input and the first step's
    primary output (to fix the draft with): a module taking a required text input that prints text (the joke),
    then a module with an input that may be a CID of text/plain and whose primary output is an image (the
    picture). Its second step misspells the input, as a model might."""
    text_maker = next(m for m in modules if m["required"] and m["primaryOutput"] == "stdout" and "v1" in m["cost"])
    picture = next(
        m
        for m in modules
        if m["primaryOutput"].endswith(".png")
        and "v1" in m["cost"]
        and "textInput" in describe[m["name"]]["params"]  # a prompt it can give as plain params
        and any(spec.get("x-cid-of") == "text/plain" for spec in describe[m["name"]]["inputs"]["properties"].values())
    )
    joke_input = describe[text_maker["name"]]["params"]["textInput"]
    assert joke_input == text_maker["required"][0]
    first_output = describe[text_maker["name"]]["outputs"]["primary"]
    prompt = describe[picture["name"]]["params"]["textInput"]
    return (
        {
            "version": "v0.0.1",
            "name": "agent-meme",
            "parameters": {"joke": {"type": "string", "description": "The joke the picture is drawn from."}},
            "steps": [
                {
                    "stepId": "joke",
                    "stepModule": {
                        "cmd": text_maker["cmd"],
                        "params": "{{param:joke}}",
                        "cost": f"{text_maker['cost']['v1']} wei",
                    },
                },
                {
                    "stepId": "picture",
                    "needs": ["joke"],
                    "stepModule": {
                        "cmd": picture["cmd"],
                        "params": json.dumps({prompt[:-2] + prompt[-1]: "a cow"}),  # "prompt" misspelt "promt"
                        "cost": f"{picture['cost']['v1']} wei",
                    },
                },
            ],
        },
        prompt,
        first_output,
    )


async def the_agent(server: StdioServerParameters, stack: Any, provider: Any) -> dict[str, Any]:
    async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        agent = Agent(session)
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        assert set(tools) == {
            "list_modules",
            "describe_module",
            "validate_workflow",
            "estimate_cost",
            "submit_workflow",
            "get_workflow",
            "read_output",
        }
        for tool in tools.values():
            assert tool.input_schema["type"] == "object" and tool.output_schema["type"] == "object", tool.name
        assert tools["submit_workflow"].annotations.read_only_hint is False
        assert tools["submit_workflow"].annotations.idempotent_hint is False
        assert all(tools[name].annotations.read_only_hint for name in tools if name != "submit_workflow")

        modules = (await agent.call("list_modules"))["modules"]
        describe = {m["name"]: (await agent.call("describe_module", name=m["name"]))["module"] for m in modules}
        draft, prompt, first_output = compose(modules, describe)

        checked = await agent.call("validate_workflow", workflow=draft)
        assert not checked["valid"]
        problems = {(p["path"], p["stepId"]) for p in checked["problems"]}
        assert {("$.steps[1].stepModule.params", "picture"), ("$.parameters.joke", None)} <= problems, checked
        assert any("did you mean" in p["message"] for p in checked["problems"])

        draft["steps"][1]["stepModule"]["params"] = json.dumps({prompt: f"{{{{stepId:joke}}}}/{first_output}"})
        checked = await agent.call("validate_workflow", workflow=draft, parameters=JOKE)
        assert checked["valid"] and checked["problems"] == [] and checked["warnings"] == [], checked

        price = await agent.call("estimate_cost", workflow=draft, parameters=JOKE)
        required = int(price["requiredDepositWei"])
        assert required == sum(int(s["costWei"]) * s["attempts"] for s in price["steps"])
        assert price["withinBudget"] and price["refusals"] == [] and price["budgetWei"] == str(BUDGET_ETHER * ETHER)

        count = int(stack.client.registry.workflowCount())
        refusal = await agent.refused("submit_workflow", workflow=draft, parameters=JOKE, deposit=str(BUDGET_ETHER + 1))
        assert "exceeds the operator's budget" in refusal and "\n" not in refusal
        assert int(stack.client.registry.workflowCount()) == count  # nothing was sent

        submitted = await agent.call("submit_workflow", workflow=draft, parameters=JOKE)
        assert submitted["depositWei"] == str(required)
        assert int(submitted["budgetRemainingWei"]) == BUDGET_ETHER * ETHER - required
        workflow_id = submitted["workflowId"]
        left = BUDGET_ETHER * ETHER - required
        refusal = await agent.refused(
            "submit_workflow", workflow=draft, parameters=JOKE, deposit=str(left // ETHER + 1)
        )
        assert f"{left // ETHER} ETH of {BUDGET_ETHER} ETH is left" in refusal  # the budget is the session's

        status = await agent.call("get_workflow", workflowId=workflow_id)
        mark, since = (stack.chain.blocks.height, len(provider.lines)), time.monotonic()
        while not status["ended"]:
            await anyio.sleep(0.2)
            status = await agent.call("get_workflow", workflowId=workflow_id)
            now = (stack.chain.blocks.height, len(provider.lines))
            if now != mark:
                mark, since = now, time.monotonic()
            elif time.monotonic() - since > STALL_SECONDS:
                pytest.fail(f"workflow {workflow_id} made no progress: {status}\n{provider.output_tail()}")
        assert status["status"] == "completed", status

        joke_step, picture_step = status["steps"]
        assert (joke_step["stepId"], picture_step["stepId"]) == ("joke", "picture"), status  # names, as written
        joke = await agent.call("read_output", reference=f"{joke_step['resultCid']}/{first_output}")
        listing = await agent.call("read_output", reference=picture_step["resultCid"])
        picture_file = describe[next(m["name"] for m in modules if m["cmd"] == picture_step["cmd"])]["outputs"]
        image = await agent.call("read_output", reference=f"{picture_step['resultCid']}/{picture_file['primary']}")
        return {"status": status, "joke": joke, "listing": listing, "image": image, "id": workflow_id}


def test_an_agent_runs_a_workflow_through_the_mcp_tools_alone(e2e: Any, tmp_path: Path) -> None:
    provider = e2e.start_provider()
    server = StdioServerParameters(
        command=str(TINY_HOPS),
        args=["mcp", "--max-deposit", str(BUDGET_ETHER), "--rpc", e2e.chain.provider.uri],
        env={
            "TINYHOPS_HOME": str(e2e.home),
            "TINYHOPS_DEPLOYMENTS": str(e2e.deployments_file),
            "THOPS_PRIVATE_KEY": ANVIL_KEYS[1],
            # The code under test, as the other child processes get it (a worktree's, not the venv's install).
            **({"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}),
        },
        cwd=str(tmp_path),
    )
    seen = anyio.run(the_agent, server, e2e, provider)

    view = e2e.client.view(seen["id"])
    assert view.status is WorkflowStatus.COMPLETED and view.owner == e2e.user.address
    assert [step["resultCid"] for step in seen["status"]["steps"]] == [step.result_cid for step in view.steps]
    joke = seen["joke"]
    assert joke["mediaType"] == "text/plain" and "Why did the cow cross the road?" in joke["text"]
    assert {entry["name"] for entry in seen["listing"]["entries"]} == {"stdout", "stderr", "outputs"}
    image = seen["image"]
    assert image["mediaType"] == "image/png"
    assert base64.b64decode(image["base64"]) == e2e.store.get(f"{view.steps[1].result_cid}/outputs/image-42.png")
