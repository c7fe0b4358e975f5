"""The executor: one job in, its output stored and answered by CID, or a one-line failure; outputs chain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from unixfs_oracle import oracle_cid

import tinyhops.provider.executor as executor
import tinyhops.provider.modules as modules
from tinyhops.provider.cids import cid_of
from tinyhops.provider.executor import JobOutcome, execute
from tinyhops.provider.modules import MODULES, SAMPLES, ModuleFailed
from tinyhops.provider.store import ContentStore
from tinyhops.spec import params

COW, SDXL, WASM = "cowsay:v0.0.1", "sdxl:v0.9-lilypad1", "deterministic_wasm:v0.0.1"
CAT_WAT = b"""(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (block $done (loop $more
      (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 4096))
      (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
      (br_if $done (i32.eqz (i32.load (i32.const 8))))
      (i32.store (i32.const 4) (i32.load (i32.const 8)))
      (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (br $more)))))
"""


@pytest.fixture
def store(tmp_path: Path) -> ContentStore:
    return ContentStore(tmp_path / "store")


def step(template: str, results: dict[int, str]) -> str:
    """The params a step receives once the registry substitutes its {{stepId:N}} references."""
    return params.render(params.parse(template), results)


def test_success_stores_the_result_directory_and_answers_its_cid(store: ContentStore) -> None:
    outcome = execute(COW, "Hello from Tiny Hops", store)
    assert outcome.ok and outcome.reason is None and outcome.cid is not None
    assert outcome.cid.startswith("Qm") and store.is_directory(outcome.cid)
    assert [entry.name for entry in store.list(outcome.cid)] == ["outputs", "stderr", "stdout"]
    stdout = store.get(f"{outcome.cid}/stdout")
    assert b"Hello from Tiny Hops" in stdout and store.get(f"{outcome.cid}/stderr") == b""
    assert store.list(f"{outcome.cid}/outputs") == []
    tree = {"stdout": stdout, "stderr": b"", "outputs": {}}
    assert outcome.cid == oracle_cid(tree, 0)  # the CID `ipfs add -r` gives that directory
    assert outcome.ok and outcome.reason is None and outcome.cid
    assert 0 <= outcome.seconds < 5


def test_unknown_module_is_a_failed_job(store: ContentStore) -> None:
    outcome = execute("x:v1", "anything", store)
    assert outcome == JobOutcome(ok=False, cid=None, reason="unknown module 'x:v1'", seconds=outcome.seconds)
    assert (outcome.ok, outcome.cid, outcome.reason) == (False, None, "unknown module 'x:v1'")


def test_module_failure_is_an_outcome_not_an_exception(store: ContentStore) -> None:
    outcome = execute(WASM, cid_of(b"missing module"), store)
    assert not outcome.ok and outcome.cid is None
    assert outcome.reason is not None and "not in the store" in outcome.reason
    assert not outcome.ok and outcome.reason.startswith("deterministic_wasm:")


def test_long_reasons_are_cut_to_one_line(store: ContentStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(name: str, params: str, store: ContentStore) -> modules.JobResult:
        raise ModuleFailed("line\n" * 500)

    monkeypatch.setattr(executor, "run_module", fail)
    outcome = execute(COW, "x", store)
    assert outcome.reason is not None
    assert "\n" not in outcome.reason and len(outcome.reason) <= 200


def test_a_crashing_module_is_a_failed_job(store: ContentStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(params: str, store: ContentStore) -> modules.JobResult:
        raise KeyError("boom")

    monkeypatch.setattr(modules, "MODULES", {**MODULES, "crash:v1": crash})
    outcome = execute("crash:v1", "", store)
    assert not outcome.ok
    assert outcome.reason == "crash:v1 crashed: KeyError: 'boom'"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(module=st.sampled_from([COW, SDXL, WASM, "x:v1", ""]), text=st.text(max_size=120))
def test_execute_never_raises_for_any_params(store: ContentStore, module: str, text: str) -> None:
    outcome = execute(module, text, store)
    if outcome.ok:
        assert outcome.cid is not None and store.has(outcome.cid)
    else:
        assert outcome.reason and "\n" not in outcome.reason and len(outcome.reason) <= 200


def test_outputs_chain_through_the_store(store: ContentStore) -> None:
    """A four-step workflow: cow, a cow quoting it, a picture of it, and a wasm program reading it back."""
    first = execute(COW, "Moo from step 1", store)
    assert first.cid is not None
    second = execute(COW, step("Step 1 said:\n{{stepId:1}}", {1: first.cid}), store)
    assert second.cid is not None
    quoted = store.get(f"{second.cid}/stdout").decode()
    for line in store.get(f"{first.cid}/stdout").decode().splitlines():
        assert line.rstrip() in quoted
    assert first.cid not in quoted

    picture = execute(SDXL, step('{"prompt": "{{stepId:1}}", "seed": 3}', {1: first.cid}), store)
    assert picture.cid is not None
    assert store.get(f"{picture.cid}/outputs/image-3.png").startswith(b"\x89PNG\r\n\x1a\n")

    cat = store.put(CAT_WAT)
    echo = execute(WASM, json.dumps({"wasm": cat, "stdin": second.cid}), store)
    # the program read the earlier output (a directory reads as its stdout) and printed it unchanged
    assert echo.cid == second.cid


def test_hello_sample_through_the_executor(store: ContentStore) -> None:
    hello = store.put((SAMPLES / "hello.wat").read_bytes())
    outcome = execute(WASM, json.dumps({"wasm": hello, "args": ["Lilypad"]}), store)
    assert outcome.cid is not None and store.get(f"{outcome.cid}/stdout") == b"Hello, Lilypad!\n"
