"""`make demo` (`make demo LILYPAD=v1`): the whole product once, on a chain of its own.

Starts anvil on a free port, deploys the registry and the local Lilypad (by default v2's job creator and its
token, today's Lilypad; `--lilypad v1` for LocalLilypad, paid in ether), starts the local
resource provider (`ape run provider`, a separate process, as in real life), submits sample.thops.json (or
the workflow file given as the one argument: `make demo-meme` gives examples/cow-meme-av.thops.json), shows
the live monitor until the workflow ends, prints every step's CID and the final output, and says where each
picture, sound and video landed. Everything it started is stopped again: on success, on failure and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from tinyhops import child_process
from tinyhops.paths import PROJECT_ROOT, state_dir

SAMPLE = PROJECT_ROOT / "sample.thops.json"


def _say(text: str) -> None:
    print(f"==> {text}", flush=True)


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    child_process.stop(process, 15)


def _start_provider(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    ape = shutil.which("ape", path=str(PROJECT_ROOT / ".venv" / "bin")) or "ape"
    log.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [ape, "run", "provider", "--poll", "0.2"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _show_outputs(view: Any, workflow: Any, store: Any, out_dir: Path) -> None:
    from tinyhops.errors import StoreError
    from tinyhops.provider.store import as_text

    print()
    for step in view.steps:  # a CID is never broken: each on a line of its own
        written = workflow.step(step.step_id)
        print(f"step {written.label} {written.name or ''} ({step.module}): {step.status.name.lower()}")
        if step.result_cid:
            print(f"    {step.result_cid}")
    last = view.steps[-1]
    print()
    for step in view.steps:
        if not step.result_cid:
            continue
        try:
            outputs = [f"outputs/{entry.name}" for entry in store.list(f"{step.result_cid}/outputs")]
            files = ["stdout", "stderr", *outputs]
            print(f"step {step.step_id}'s result directory holds {', '.join(files)}")
            for output in outputs:
                content = store.get(f"{step.result_cid}/{output}")
                if as_text(content) is None:  # a picture, a sound, a video: a file to open, not to print
                    saved = out_dir / f"step-{step.step_id}-{output.rpartition('/')[2]}"
                    saved.write_bytes(content)
                    print(f"  {output} ({len(content):,} bytes) landed in\n    {saved}")
            if step is last:
                print(f"final output (step {step.step_id}'s stdout):")
                print(store.get(f"{step.result_cid}/stdout").decode("utf-8", "replace"))
        except StoreError as error:
            print(f"(step {step.step_id}: {error.one_line()})")


def run(backend: str = "v2", workflow_file: Path = SAMPLE) -> int:
    from tinyhops.chain import devchain

    # The demo's chain is new each time: so are its deployments, provider cursor and content store.
    demo_dir = state_dir() / "demo"
    shutil.rmtree(demo_dir, ignore_errors=True)
    demo_dir.mkdir(parents=True)
    port = devchain.free_port()
    env = dict(os.environ)
    env.update(
        APE_FOUNDRY_HOST=f"http://127.0.0.1:{port}",
        TINYHOPS_HOME=str(demo_dir),
        TINYHOPS_DEPLOYMENTS=str(demo_dir / "deployments.json"),
    )
    os.environ.update(env)
    with ExitStack() as cleanup:
        _say(f"starting anvil on 127.0.0.1:{port}")
        chain_process = devchain.start(port, demo_dir / "anvil.log")
        cleanup.callback(devchain.stop, chain_process)

        from ape import accounts, chain, networks, project

        from tinyhops import spec
        from tinyhops.chain import deploy as deploying
        from tinyhops.chain.accounts import PROVIDER_TEST_ACCOUNT, USER_TEST_ACCOUNT
        from tinyhops.chain.registry_client import RegistryClient
        from tinyhops.cli import monitor
        from tinyhops.provider.service import quiet_ape_logs
        from tinyhops.provider.store import ContentStore
        from tinyhops.render import graph
        from tinyhops.spec.units import format_amount

        quiet_ape_logs()  # Ape's "INFO: Confirmed 0x..." per transaction is not the demo's story
        cleanup.enter_context(networks.parse_network_choice("ethereum:local:foundry"))
        user = accounts.test_accounts[USER_TEST_ACCOUNT]
        provider_account = accounts.test_accounts[PROVIDER_TEST_ACCOUNT]
        if backend == "v2":
            _say("deploying the registry (a Lilypad v2 client) and the local job creator")
        else:
            _say("deploying the registry (a Lilypad v1 client) and the local Lilypad")
        deployed = deploying.deploy(
            project, user, chain.chain_id, True, None, provider_account.address, backend, [user.address]
        )
        print(f"    registry {deployed.registry}\n    lilypad  {deployed.lilypad}")

        provider_log = demo_dir / "provider.log"
        _say(f"starting the local resource provider, its log in\n    {provider_log}")
        provider = _start_provider(env, provider_log)
        cleanup.callback(_stop_process, provider)

        workflow = spec.load(workflow_file)
        client = RegistryClient(project, deployed)
        unit = client.unit
        _say(f"submitting {workflow_file.name}: {len(workflow.steps)} steps, this DAG (Mermaid; `ape run graph`)")
        print(graph.mermaid(workflow), end="")
        started = time.monotonic()
        workflow_id = client.submit(workflow, user)
        print(f"    Your workflowId is : {workflow_id}")
        names = {s.step_id: s.name or "" for s in workflow.steps}
        blocks = lambda: chain.blocks.height  # noqa: E731 - the monitor's clock
        view = monitor.watch(
            client, workflow_id, blocks, names, timeout_seconds=120, name=workflow.name, ids=workflow.labels()
        )
        took = time.monotonic() - started
        if provider.poll() is not None:
            print(f"the provider stopped unexpectedly; see {provider_log}", file=sys.stderr)
        _show_outputs(view, workflow, ContentStore(demo_dir / "store"), demo_dir)
        refundable = int(client.registry.refundableOf(user.address))
        print(
            f"\nWorkflow {workflow_id} {view.status.name.lower()} {took:.1f} s after its submit;\n"
            f"spent {format_amount(view.spent_wei, unit)} on Lilypad jobs, {format_amount(refundable, unit)} "
            "refundable."
            f"\nOutputs are in {demo_dir / 'store'}\n(TINYHOPS_HOME={demo_dir} tiny-hops cat CID[/path])."
        )
        if os.environ.get("UI"):  # make demo UI=1: the dashboard over this chain, until Ctrl-C
            _keep_dashboard(env, chain.provider.uri)
        _say("stopping the provider and the chain")
        return 0 if view.status.name == "COMPLETED" else 1


def _keep_dashboard(env: dict[str, str], rpc: str) -> None:
    """`tiny-hops ui` on the demo's chain (it prints its address) until Ctrl-C."""
    ui = shutil.which("tiny-hops", path=str(PROJECT_ROOT / ".venv" / "bin")) or "tiny-hops"
    _say("the dashboard (Ctrl-C stops it and the demo)")
    child = subprocess.Popen([ui, "ui", "--rpc", rpc], cwd=PROJECT_ROOT, env=env)
    try:
        child.wait()
    finally:
        _stop_process(child)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tinyhops.cli.demo", description="The whole product once.")
    parser.add_argument("--lilypad", choices=("v1", "v2"), default="v2", help="the Lilypad backend (default v2)")
    parser.add_argument("workflow", nargs="?", type=Path, default=SAMPLE, help="the workflow file (the sample)")
    arguments = parser.parse_args(argv)
    try:
        code = run(arguments.lilypad, arguments.workflow)
    except KeyboardInterrupt:
        print("\ninterrupted: everything the demo started has been stopped", file=sys.stderr)
        code = 130
    except Exception as exc:  # noqa: BLE001 - the demo reports any failure in one line, after cleaning up
        from tinyhops.cli.reporting import describe

        try:
            lines = describe(exc)
        except Exception:  # noqa: BLE001 - unknown kinds: name and message
            lines = [f"{type(exc).__name__}: {exc}"]
        for line in lines:
            print(f"error: {line}", file=sys.stderr)
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main()
