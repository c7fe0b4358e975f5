"""The live monitor and the demo as a user reads them, through the real commands: the monitor says when no
provider picks a job up and when the node goes away and comes back (the provider logs each outage once, not
once per retry); a CID is never broken across lines on an 80-column console; `make demo`'s output fits 80
columns, has no Ape INFO lines, shows the DAG and times the workflow from its submit."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from cli_processes import TINY_HOPS, Finished, child_env, tiny_hops, workflow_id_of

from tinyhops.cli.monitor import short_cid
from tinyhops.paths import PROJECT_ROOT
from tinyhops.provider.service import READY
from tinyhops.spec.sample import write_sample
from tinyhops.testing import shapes
from tinyhops.testing.provider_process import job_lines, spawn, start_provider
from tinyhops.testing.reliability.anvil import Anvil

DOWN_SECONDS = 1.5  # the node stays down this long: several of the provider's 0.2 s polls fail meanwhile


def test_monitor_says_no_provider_picked_up_a_job_and_never_breaks_a_cid(e2e: Any, tmp_path: Path) -> None:
    uri = e2e.chain.provider.uri
    write_sample(tmp_path / "sample.thops.json")
    submitted = Finished.of(tiny_hops("run", "sample.thops.json", "--rpc", uri, cwd=tmp_path))
    assert submitted.code == 0, submitted
    workflow_id = workflow_id_of(submitted)
    command = [str(TINY_HOPS), "monitor", str(workflow_id), "sample.thops.json", "--rpc", uri]
    monitor = spawn(command, child_env(COLUMNS="80"), tmp_path)  # no provider runs yet: no block comes
    try:
        monitor.wait_for(
            lambda lines: any("no provider has picked up job 1 (step 1) for" in line for line in lines),
            120,
            "the monitor saying job 1 was not picked up",
        )
        words = " ".join(monitor.output.split())  # rich wraps a long notice at the console's width
        assert (
            "no provider has picked up job 1 (step 1) for 20 s without a new block: is `ape run provider` running?"
            in words
        )
        provider = e2e.start_provider()
        assert monitor.process.wait(timeout=180) == 0, monitor.output
    finally:
        monitor.kill()
    assert provider.stop() == 0
    view = e2e.client.view(workflow_id)
    output = monitor.output
    assert f"Workflow {workflow_id} (cow-meme): Completed" in output, output
    table = [line for line in output.splitlines() if "│" in line or "┃" in line]
    assert len(table) == 5 and all(len(line) <= 80 for line in table), output  # the header and four steps
    for step in view.steps:  # shortened, never broken; whole with --json
        assert short_cid(step.result_cid) in output and step.result_cid not in output, output
    assert f"CIDs shortened: `monitor {workflow_id} --json`" in output
    snapshot = Finished.of(tiny_hops("monitor", str(workflow_id), "--json", "--rpc", uri, cwd=tmp_path))
    assert [s["result_cid"] for s in json.loads(snapshot.stdout)["steps"]] == [s.result_cid for s in view.steps]


def test_node_down_and_back_monitor_says_so_and_provider_logs_it_once(accounts: Any, tmp_path: Path) -> None:
    anvil = Anvil(tmp_path)
    anvil.start()
    env = {"TINYHOPS_HOME": str(tmp_path / "home"), "TINYHOPS_DEPLOYMENTS": str(tmp_path / "deployments.json")}
    children = []
    try:
        deployed = Finished.of(
            subprocess.Popen(
                [str(TINY_HOPS.with_name("ape")), "run", "deploy"],
                cwd=PROJECT_ROOT,
                env=child_env(APE_FOUNDRY_HOST=anvil.url, **env),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
            timeout=120,
        )
        assert deployed.code == 0, deployed
        (tmp_path / "chain.thops.json").write_text(json.dumps(shapes.chain(30)))
        submitted = Finished.of(tiny_hops("run", "chain.thops.json", "--rpc", anvil.url, cwd=tmp_path, **env))
        assert submitted.code == 0, submitted
        workflow_id = workflow_id_of(submitted)
        monitor_command = [str(TINY_HOPS), "monitor", str(workflow_id), "--rpc", anvil.url]
        monitor = spawn(monitor_command, child_env(**env), tmp_path)
        children.append(monitor)
        # Connected once it says it follows the workflow: a node gone while it starts up is an error, not an outage.
        following = f"following workflow {workflow_id}"
        monitor.wait_for(lambda lines: any(following in line for line in lines), 120, "the monitor following")
        provider = start_provider(anvil.url, tmp_path / "home", tmp_path / "deployments.json", "--poll", "0.2")
        children.append(provider)
        provider.wait_for(lambda lines: len(job_lines(lines)) >= 3, 120, "three jobs answered")

        anvil.stop()  # dumps its state; started again below, it resumes where it was
        down = f"the node at {anvil.url} is not answering"
        monitor.wait_for(lambda lines: any(down in line for line in lines), 60, "the monitor saying the node is down")
        provider.wait_for(lambda lines: any("poll failed" in line for line in lines), 60, "the provider's outage line")
        time.sleep(DOWN_SECONDS)
        anvil.start()

        assert monitor.process.wait(timeout=180) == 0, monitor.output
        assert provider.stop() == 0
    finally:
        for child in children:
            child.kill()
        if anvil.process is not None and anvil.process.poll() is None:
            anvil.stop()
    lines = monitor.snapshot()
    assert sum(down in line for line in lines) == 1, monitor.output
    assert sum(f"the node at {anvil.url} is answering again" in line for line in lines) == 1, monitor.output
    assert f"Workflow {workflow_id}: Completed, 30/30 steps" in monitor.output
    outage = [line for line in provider.snapshot() if "poll failed" in line]
    back = [line for line in provider.snapshot() if "polls succeed again" in line]
    assert len(outage) == 1 and len(outage[0]) <= 200, provider.output  # one short line, not one per retry
    assert len(back) == 1, provider.output
    failed_polls = int(back[0].split("after ")[1].split()[0])
    assert failed_polls >= 2, back  # it did retry, quietly
    assert READY in provider.output and "Traceback" not in provider.output + monitor.output


@pytest.mark.parametrize(("lilypad", "unit"), [("v2", "LP"), ("v1", "ETH")])
def test_demo_output_fits_80_columns_without_ape_info_lines(lilypad: str, unit: str) -> None:
    """`make demo` (v2, the default) and `make demo LILYPAD=v1`: every step's directory CID, its files, the
    picture, amounts in the backend's unit."""
    home = Path(tempfile.mkdtemp(prefix="demo-"))  # a short path, as a user's checkout would have
    try:
        demo = subprocess.run(
            [sys.executable, "-m", "tinyhops.cli.demo", "--lilypad", lilypad],  # what `make demo` runs
            cwd=PROJECT_ROOT,
            env=child_env(COLUMNS="80", TINYHOPS_HOME=str(home)),  # the demo starts an anvil of its own
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)
    output = demo.stdout + demo.stderr
    assert demo.returncode == 0, output
    assert "INFO" not in output and "Confirmed" not in output, output
    assert "flowchart TD" in output and "    s2 --> s4" in output, output  # the DAG
    assert "Workflow 1 completed " in output and " s after its submit;" in output, output
    spent = 4 if lilypad == "v2" else 7  # v2: one deposit (1 LP) a job; v1: the modules' prices (1 + 4 + 1 + 1 ETH)
    assert re.search(rf"^spent {spent} {unit} on Lilypad jobs", output, re.M), output
    assert len(re.findall(r"^    Qm[1-9A-HJ-NP-Za-km-z]{44}$", output, re.M)) == 4, output  # every step's directory
    assert "step 2's result directory holds stdout, stderr, outputs/image-42.png" in output, output
    assert "outputs/image-42.png (" in output and "bytes) landed in" in output, output
    ours, _, rest = output.partition("final output (step 4's stdout):")
    _, _, after = rest.partition("\n\nWorkflow 1 completed")  # the module's own output (cowsay) is as it is
    for line in (ours + after).splitlines():
        assert len(line) <= 80, line
