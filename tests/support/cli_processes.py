"""The installed entry points as child processes on the test chain: `.venv/bin/tiny-hops` and `.venv/bin/ape run`.

Children inherit TINYHOPS_HOME / TINYHOPS_DEPLOYMENTS from the e2e fixture (so they find the test
deployment), never THOPS_PRIVATE_KEY or THOPS_RPC_URL unless a test passes them. Several may run at once:
`launch` starts one, `Finished.of` waits for it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tinyhops.chain.accounts import PRIVATE_KEY_VARIABLE
from tinyhops.chain.connection import RPC_VARIABLE
from tinyhops.paths import PROJECT_ROOT

BIN = Path(sys.executable).parent
TINY_HOPS = BIN / "tiny-hops"
APE = BIN / "ape"

# Private keys of anvil's default mnemonic ("test test ... junk"), which Ape's test accounts also use.
ANVIL_KEYS = (
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
)


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (PRIVATE_KEY_VARIABLE, RPC_VARIABLE)}
    env.update(PYTHONUNBUFFERED="1", COLUMNS="200", NO_COLOR="1")
    env.update(extra)
    return env


def launch(command: list[str | Path], cwd: Path, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(part) for part in command],
        cwd=cwd,
        env=child_env(**extra),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def tiny_hops(*args: str | Path, cwd: Path, **extra: str) -> subprocess.Popen[str]:
    """`tiny-hops ARGS...` started in `cwd` (any folder: the console script finds the project itself)."""
    return launch([TINY_HOPS, *args], cwd, **extra)


def ape_run(*args: str | Path, chain_uri: str, **extra: str) -> subprocess.Popen[str]:
    """`ape run ARGS...` in the project, attached to the chain at `chain_uri` (APE_FOUNDRY_HOST)."""
    return launch([APE, "run", *args], PROJECT_ROOT, APE_FOUNDRY_HOST=chain_uri, **extra)


@dataclass(frozen=True)
class Finished:
    command: str
    code: int
    stdout: str
    stderr: str

    @classmethod
    def of(cls, process: subprocess.Popen[str], timeout: float = 60.0) -> Finished:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
            raise AssertionError(
                f"{process.args} still running after {timeout}s\nstdout:\n{stdout}\nstderr:\n{stderr}"
            ) from None
        return cls(" ".join(map(str, process.args)), process.returncode, stdout, stderr)

    def __str__(self) -> str:
        return f"$ {self.command}\n[exit {self.code}]\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}"

    @property
    def stdout_lines(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.strip()]

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    def one_line_error(self) -> str:
        """The failure as users see it: exit code 1, exactly one `error: ...` line on stderr, no traceback."""
        assert self.code == 1, self
        assert "Traceback" not in self.stdout + self.stderr, self
        assert len(self.stderr_lines) == 1 and self.stderr_lines[0].startswith("error: "), self
        return self.stderr_lines[0]


def workflow_id_of(submitted: Finished) -> int:
    """The id `submit`/`run` printed ("Your workflowId is : N")."""
    line = next(line for line in submitted.stdout_lines if line.startswith("Your workflowId is : "))
    return int(line.rsplit(":", 1)[1])
