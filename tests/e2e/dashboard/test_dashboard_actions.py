"""`tiny-hops ui --allow-actions`, attack first: a POST without the page's CSRF token, with a wrong one, from
another Origin, cross-site, or through a name re-pointed at 127.0.0.1 (DNS rebinding: another Host header) is
refused and sends nothing; a read-only server refuses every action; the server will not start with actions on
an address other than loopback; a redrive of someone else's workflow or of a live one is refused by the registry,
in one line. Then pause, resume, cancel and redrive from the page, in Chromium, signed by the server's signer
(test account 0 on a local chain), as the registry sees them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import requests
from cli_processes import Finished, tiny_hops
from eth_account import Account
from playwright.sync_api import Page

from tinyhops import spec
from tinyhops.chain.registry_client import WorkflowStatus
from tinyhops.cli.exit_codes import ERROR
from tinyhops.testing import shapes

SERVER_SIGNER = 0  # the server's signer on a local chain: Ape's and anvil's test account 0
WAIT_MS = 120_000
TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def token_of(url: str, workflow_id: int) -> str:
    found = TOKEN.search(requests.get(f"{url}/workflows/{workflow_id}", timeout=30).text)
    assert found is not None
    return found.group(1)


def post(url: str, workflow_id: int, action: str, **headers: str) -> requests.Response:
    return requests.post(f"{url}/workflows/{workflow_id}/{action}", headers=headers, timeout=60)


def one_line_error(response: requests.Response) -> str:
    error = response.json()["error"]
    assert error and "\n" not in error and "Traceback" not in error, error
    return str(error)


def test_actions_are_refused_without_the_token_cross_origin_and_through_another_host_name(
    harness: Any, serve: Callable[..., str]
) -> None:
    key = harness.keys[SERVER_SIGNER]
    workflow_id, _ = harness.stack.submit(key, spec.load(shapes.chain(3)))
    url = serve("--allow-actions")
    token = token_of(url, workflow_id)
    port = url.rsplit(":", 1)[1]
    nonce = harness.chain.nonce(Account.from_key(key).address)
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")

    attacks = {
        "no token": post(url, workflow_id, "pause"),
        "a wrong token": post(url, workflow_id, "pause", **{"X-CSRF-Token": wrong}),
        "an empty token": post(url, workflow_id, "pause", **{"X-CSRF-Token": ""}),
        "another Origin": post(url, workflow_id, "pause", **{"X-CSRF-Token": token, "Origin": "http://evil.example"}),
        "a cross-site fetch": post(
            url, workflow_id, "pause", **{"X-CSRF-Token": token, "Sec-Fetch-Site": "cross-site"}),
        "a rebound name": post(url, workflow_id, "pause", **{
            "X-CSRF-Token": token, "Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"}),
        "a redrive without the token": post(url, workflow_id, "redrive"),
        "a cross-origin redrive": post(
            url, workflow_id, "redrive", **{"X-CSRF-Token": token, "Origin": "http://evil.example"}),
    }
    for attack, response in attacks.items():
        assert response.status_code in (403, 421), (attack, response.status_code, response.text)
        one_line_error(response)
    assert "CSRF" in one_line_error(attacks["no token"]) and "CSRF" in one_line_error(attacks["a wrong token"])
    assert "cross-origin" in one_line_error(attacks["another Origin"])
    assert "evil.example" in one_line_error(attacks["a rebound name"])
    # Through a rebound name, the page itself (which holds the token) is not served either.
    rebound = requests.get(f"{url}/workflows/{workflow_id}", headers={"Host": f"evil.example:{port}"}, timeout=30)
    assert rebound.status_code == 421 and token not in rebound.text
    assert harness.chain.nonce(Account.from_key(key).address) == nonce  # nothing was sent
    assert harness.stack.status(workflow_id) == WorkflowStatus.RUNNING

    # The token of the page, same-origin: done. The registry's refusal comes back as one line.
    assert post(url, workflow_id, "pause", **{"X-CSRF-Token": token}).json()["ok"] is True
    assert harness.stack.status(workflow_id) == WorkflowStatus.PAUSED
    refused = post(url, workflow_id, "pause", **{"X-CSRF-Token": token})
    assert refused.status_code == 400
    assert "WrongWorkflowStatus" in one_line_error(refused)
    stranger_owned, _ = harness.stack.submit(harness.keys[1], spec.load(shapes.chain(2)))
    not_owner = post(url, stranger_owned, "cancel", **{"X-CSRF-Token": token})
    assert not_owner.status_code == 400 and "NotWorkflowOwner" in one_line_error(not_owner)
    live = post(url, workflow_id, "redrive", **{"X-CSRF-Token": token})
    assert live.status_code == 400 and "WrongWorkflowStatus" in one_line_error(live)
    harness.stack.registry.send(harness.keys[1], "cancel", stranger_owned)
    theirs = post(url, stranger_owned, "redrive", **{"X-CSRF-Token": token})
    assert theirs.status_code == 400 and "NotWorkflowOwner" in one_line_error(theirs)
    assert harness.stack.status(stranger_owned) == WorkflowStatus.CANCELLED
    assert harness.stack.status(workflow_id) == WorkflowStatus.PAUSED


def test_a_read_only_server_refuses_actions_and_actions_bind_loopback_only(
    harness: Any, serve: Callable[..., str], tmp_path: Any
) -> None:
    workflow_id, _ = harness.stack.submit(harness.keys[SERVER_SIGNER], spec.load(shapes.chain(2)))
    url = serve()
    page = requests.get(f"{url}/workflows/{workflow_id}", timeout=30).text
    assert "csrf-token" not in page and "data-action" not in page
    for action in ("pause", "resume", "cancel"):
        response = post(url, workflow_id, action, **{"X-CSRF-Token": "anything"})
        assert response.status_code == 403 and "read-only" in one_line_error(response)
    assert harness.stack.status(workflow_id) == WorkflowStatus.RUNNING

    for host in ("0.0.0.0", "localhost", "192.0.2.1"):  # noqa: S104 - the address under test
        child = tiny_hops("ui", "--allow-actions", "--host", host, "--rpc", harness.chain.url, cwd=tmp_path)
        done = Finished.of(child)
        assert done.code == ERROR, done
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
        assert f"not --host {host}" in done.stderr and done.stdout == ""


def test_pause_resume_cancel_and_redrive_from_the_page(harness: Any, serve: Callable[..., str], page: Page) -> None:
    workflow_id, _ = harness.stack.submit(harness.keys[SERVER_SIGNER], spec.load(shapes.fan_out(3)))
    url = serve("--allow-actions")
    page.goto(f"{url}/workflows/{workflow_id}")
    alerts: list[str] = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    for action, status in (("pause", "paused"), ("resume", "running"), ("cancel", "cancelled")):
        page.click(f".actions button[data-action={action}]")
        page.wait_for_function(f"document.getElementById('summary').dataset.status === '{status}'", timeout=WAIT_MS)
        assert harness.stack.status(workflow_id).name == status.upper()
    assert alerts == []
    with page.expect_event("dialog", timeout=WAIT_MS) as shown:  # a cancelled workflow cannot resume
        page.click(".actions button[data-action=resume]")
    message = shown.value.message
    assert "WrongWorkflowStatus" in message and "\n" not in message, message
    assert harness.stack.status(workflow_id) == WorkflowStatus.CANCELLED

    # The next run, paid with exactly what its steps need: the page shows it running as run 2.
    page.click(".actions button[data-action=redrive]")
    page.wait_for_function("document.getElementById('summary').dataset.status === 'running'", timeout=WAIT_MS)
    summary = harness.stack.registry.call("getWorkflow", workflow_id)
    assert (WorkflowStatus(summary.status), summary.run) == (WorkflowStatus.RUNNING, 2)
    assert "run 2" in page.inner_text("#summary")
