"""Starting and stopping a local anvil: `make chain` keeps one at 127.0.0.1:8545; the demo starts its own."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tinyhops import child_process
from tinyhops.errors import ChainError
from tinyhops.paths import state_dir


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start(port: int, log: Path, state: Path | None = None, extra: tuple[str, ...] = ()) -> subprocess.Popen[bytes]:
    """Start anvil on `port` (optionally loading and dumping `state`, with `extra` arguments), wait until it
    answers."""
    anvil = shutil.which("anvil")
    if anvil is None:
        raise ChainError("anvil is not on PATH: run `make install`, then `. .venv/bin/activate`")
    if _answers(port):
        raise ChainError(f"something already listens on 127.0.0.1:{port}")
    command = [anvil, "--host", "127.0.0.1", "--port", str(port), "--silent"]
    if state is not None:
        command += ["--state", str(state)]
    command += list(extra)
    log.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(command, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 20
    while not _answers(port):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise ChainError(f"anvil did not start on port {port}; see {log}")
        time.sleep(0.05)
    return process


def stop(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    child_process.stop(process, timeout)


def _pid_file() -> Path:
    return state_dir() / "anvil.pid"


def main(argv: list[str]) -> int:
    """`python -m tinyhops.chain.devchain start|stop`: the chain `make chain` keeps for `ape run` commands."""
    action = argv[0] if argv else "start"
    pid_file = _pid_file()
    if action == "start":
        if pid_file.exists() and _answers(8545):
            print(f"anvil already running at http://127.0.0.1:8545 (pid {pid_file.read_text().strip()})")
            return 0
        try:
            process = start(8545, state_dir() / "anvil.log", state_dir() / "anvil-state.json")
        except ChainError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        pid_file.write_text(str(process.pid))
        print(f"anvil running at http://127.0.0.1:8545 (pid {process.pid}); state kept in {state_dir()}")
        return 0
    if action == "stop":
        if not pid_file.exists():
            print("no chain started by `make chain`")
            return 0
        pid = int(pid_file.read_text())
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        pid_file.unlink()
        print(f"stopped anvil (pid {pid})")
        return 0
    print(f"usage: python -m tinyhops.chain.devchain start|stop (not {action!r})", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
