"""`ape run provider` as a child process attached to a running chain, for end-to-end tests and benchmarks.

The child gets the chain's URL in APE_FOUNDRY_HOST (so Ape attaches to that anvil instead of starting one)
and its own TINYHOPS_HOME and TINYHOPS_DEPLOYMENTS; its output is collected line by line in a thread.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinyhops import child_process
from tinyhops.chain import address_book
from tinyhops.chain.accounts import PRIVATE_KEY_VARIABLE
from tinyhops.chain.deploy import (
    LOCAL_MODULE_COSTS,
    LOCAL_TEST_TOKENS,
    deploy_local_lilypad,
    deploy_local_lilypad_v2,
    deploy_registry,
    deploy_registry_v2,
)
from tinyhops.errors import TinyHopsError
from tinyhops.paths import PROJECT_ROOT
from tinyhops.provider.service import READY


class ProviderProcessError(TinyHopsError):
    """The provider child process did not do what was expected in time."""


@dataclass
class ProviderProcess:
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def _collect(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def snapshot(self) -> list[str]:
        with self._changed:
            return list(self.lines)

    @property
    def output(self) -> str:
        with self._changed:
            return "\n".join(self.lines)

    def wait_for(self, predicate: Callable[[list[str]], bool], timeout: float, what: str) -> None:
        """Wait until `predicate(lines)` holds; ProviderProcessError naming `what` after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self.lines):
                left = deadline - time.monotonic()
                if left <= 0 or (self.process.poll() is not None and not predicate(self.lines)):
                    state = "exited" if self.process.poll() is not None else "still running"
                    raise ProviderProcessError(
                        f"provider ({state}) never showed {what} in {timeout}s; output:\n{self.output_tail()}"
                    )
                self._changed.wait(min(left, 0.2))

    def wait_ready(self, timeout: float = 60.0) -> None:
        self.wait_for(lambda lines: any(READY in line for line in lines), timeout, repr(READY))

    def job_lines(self) -> list[str]:
        """Lines reporting a job's answer (or a skip, or giving up)."""
        with self._changed:
            return job_lines(self.lines)

    def output_tail(self, count: int = 40) -> str:
        return "\n".join(self.lines[-count:])

    def send(self, sig: int) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, then wait for the exit code (SIGKILL if it does not come within `timeout`)."""
        code = child_process.stop(self.process, timeout)
        if code is None:
            raise ProviderProcessError(f"provider ignored SIGTERM for {timeout}s")
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def job_lines(lines: list[str]) -> list[str]:
    """The provider's lines about a job ("HH:MM:SS job 7 ..."): answered, skipped, reverted or given up."""
    return [line for line in lines if line.split(" ", 1)[-1].startswith("job ")]


def start_provider(
    chain_uri: str, home: Path, deployments_file: Path, *args: str, ape: Path | None = None
) -> ProviderProcess:
    """Start `ape run provider ARGS...` on the chain at `chain_uri` with its state in `home`."""
    env = dict(os.environ)
    env.pop(PRIVATE_KEY_VARIABLE, None)  # the provider signs as its registered test account
    env.update(
        APE_FOUNDRY_HOST=chain_uri,
        TINYHOPS_HOME=str(home),
        TINYHOPS_DEPLOYMENTS=str(deployments_file),
        PYTHONUNBUFFERED="1",
    )
    executable = ape or Path(sys.executable).with_name("ape")
    return spawn([str(executable), "run", "provider", *args], env, PROJECT_ROOT)


def spawn(command: list[str], env: dict[str, str], cwd: Path) -> ProviderProcess:
    """Run `command` with exactly `env` as a child whose output (stdout and stderr) is collected line by line."""
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    child = ProviderProcess(process)
    threading.Thread(target=child._collect, name="child-output", daemon=True).start()
    return child


def deploy_for_provider(
    project: Any,
    chain: Any,
    deployer: Any,
    provider: str,
    path: Path,
    backend: str = "v1",
    mint_to: tuple[str, ...] = (),
) -> address_book.Deployment:
    """Fresh local Lilypad and registry on the connected chain, recorded in the deployments file `path` (not the
    project's) for a provider child to find. v1: LocalLilypad (LOCAL_MODULE_COSTS, `provider` registered); v2:
    LocalLilypadV2 with `provider` as its controller and its token, LOCAL_TEST_TOKENS minted to each of `mint_to`."""
    block = int(chain.blocks.height) + 1
    if backend == "v2":
        lilypad = deploy_local_lilypad_v2(project, deployer, provider)
        token = project.LocalLilypadToken.at(lilypad.getTokenAddress())
        for account in mint_to:
            token.mint(account, LOCAL_TEST_TOKENS, sender=deployer)
        stack = deploy_registry_v2(project, deployer, lilypad)
    else:
        lilypad = deploy_local_lilypad(project, deployer, LOCAL_MODULE_COSTS, [provider])
        stack = deploy_registry(project, deployer, lilypad)
    deployment = address_book.Deployment(
        chain_id=int(chain.chain_id),
        registry=stack.registry.address,
        lilypad=lilypad.address,
        local_lilypad=True,
        provider=provider,
        block=block,
        backend=backend,
    )
    address_book.record(deployment, path)
    return deployment
