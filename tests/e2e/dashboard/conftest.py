"""Fixtures of the dashboard's tests: a fresh deployment with the real provider as a child (raw_harness.py),
`tiny-hops ui` as a child process on a free port (`serve`, a factory: with extra arguments such as
`--allow-actions`), and a page of Debian's Chromium, headless (Playwright, no browser download)."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cli_processes import tiny_hops
from playwright.sync_api import Page, sync_playwright
from provider_stacks import fresh_provider_stack
from raw_harness import Harness

CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def harness(project: Any, chain: Any, accounts: Any, tmp_path: Path, monkeypatch: Any) -> Iterator[Harness]:
    with fresh_provider_stack(Harness, project, chain, accounts, tmp_path, monkeypatch) as stack:
        yield stack


@pytest.fixture
def serve(harness: Harness, tmp_path: Path) -> Iterator[Callable[..., str]]:
    """`serve(*arguments)`: the URL of a `tiny-hops ui ARGUMENTS` child once it answers HTTP."""
    children: list[subprocess.Popen[str]] = []

    def start(*arguments: str) -> str:
        port = free_port()
        child = tiny_hops("ui", "--port", str(port), "--rpc", harness.chain.url, *arguments, cwd=tmp_path)
        children.append(child)
        url = f"http://127.0.0.1:{port}"
        line = child.stdout.readline() if child.stdout else ""
        assert line.startswith(f"dashboard at {url}/"), line + (child.stderr.read() if child.stderr else "")
        for _ in range(600):  # uvicorn binds right after that line
            try:
                requests.get(url, timeout=5)
                return url
            except requests.ConnectionError:
                assert child.poll() is None, child.stderr.read() if child.stderr else ""
                time.sleep(0.05)
        raise AssertionError(f"tiny-hops ui never answered at {url}")

    yield start
    for child in children:
        child.terminate()
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()


@pytest.fixture
def dashboard(serve: Callable[..., str]) -> str:
    return serve()


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield browser.new_page(viewport={"width": 1400, "height": 1000})
        browser.close()
