"""An anvil of the suite's own that can go down and come back: stopped cleanly (it dumps its state), killed
(it dumps nothing) and restarted on the same port from a state file, such as one saved earlier with
`anvil_dumpState` to roll the chain back. Plus any command as a child process whose output is collected."""

from __future__ import annotations

import gzip
import os
import subprocess
from pathlib import Path

from tinyhops.chain import devchain
from tinyhops.testing import provider_process
from tinyhops.testing.provider_process import ProviderProcess
from tinyhops.testing.reliability.rawchain import Chain


class Anvil:
    def __init__(self, folder: Path):
        self.folder = folder
        self.state = folder / "anvil-state.json"
        self.log = folder / "anvil.log"
        self.port = devchain.free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Chain:
        """Start (again) on the same port with `--state`: it loads the state file if there is one."""
        self.process = devchain.start(self.port, self.log, self.state)
        self.starts += 1
        return Chain(self.url)

    def stop(self) -> None:
        """SIGTERM: anvil dumps its state to the state file on the way out."""
        assert self.process is not None
        devchain.stop(self.process)

    def kill(self) -> None:
        """SIGKILL: no dump; the state file keeps whatever was last written to it."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def save(self, chain: Chain, path: Path) -> int:
        """Save the chain as it is now (`anvil_dumpState`) to `path`; returns the block number saved."""
        block = chain.block_number()
        path.write_bytes(gzip.decompress(bytes.fromhex(chain.request("anvil_dumpState", [])[2:])))
        return block

    def restore(self, path: Path) -> None:
        """Make `path` the state the next start loads."""
        self.state.write_bytes(path.read_bytes())


def spawn(command: list[str], env: dict[str, str], cwd: Path) -> ProviderProcess:
    """Run `command` (this process's environment, `env` on top) as a child whose output is collected."""
    return provider_process.spawn(command, {**os.environ, **env}, cwd)
