"""Stopping a child process the one way Tiny Hops does: SIGTERM, a grace period, then SIGKILL."""

from __future__ import annotations

import subprocess


def stop(process: subprocess.Popen, timeout: float) -> int | None:  # type: ignore[type-arg]
    """Ask `process` to stop (SIGTERM) and wait up to `timeout` seconds; kill it if it has not exited by then.
    Returns its exit code, or None when it had to be killed."""
    if process.poll() is not None:
        return process.returncode
    process.terminate()
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None
