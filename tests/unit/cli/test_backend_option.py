"""`tiny-hops validate --backend v2` and `inspect --backend v2`, as a user types them: what Lilypad v2 is sent
(v2 module names, Key=Value inputs, default timeouts), and a step it cannot be sent named in one line."""

from __future__ import annotations

import json
from pathlib import Path

from cli_processes import Finished, tiny_hops

from tinyhops.encoding.backends import V2_DEFAULT_TIMEOUT
from tinyhops.paths import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "sample.thops.json"
WASM_WITH_PARAMS = {
    "version": "v0.0.1",
    "steps": [
        {"stepId": "1", "stepModule": {"cmd": "cowsay:v0.0.1", "params": "a=b", "cost": "1"}},
        {"stepId": "2", "stepModule": {"cmd": "deterministic_wasm:v0.0.1", "params": "QmX", "cost": "1"}},
    ],
}


def test_inspect_shows_what_v2_is_sent_and_v1_stays_as_written(tmp_path: Path) -> None:
    on_v2 = Finished.of(tiny_hops("inspect", SAMPLE, "--backend", "v2", cwd=tmp_path))
    assert on_v2.code == 0, on_v2
    for shown in (
        "cowsay:v0.0.4",
        "Message=Hello from Tiny Hops",
        "Prompt=a cow jumping over the moon, pop art ␞ Seed=42",
    ):
        assert shown in on_v2.stdout, on_v2
    assert f"{V2_DEFAULT_TIMEOUT:,} s" in on_v2.stdout and "600 s" in on_v2.stdout
    on_v1 = Finished.of(tiny_hops("inspect", SAMPLE, cwd=tmp_path))
    assert on_v1.code == 0 and "cowsay:v0.0.1" in on_v1.stdout and "Message=" not in on_v1.stdout, on_v1
    v1_size, v2_size = (int(r.stdout_lines[-1].split()[2].replace(",", "")) for r in (on_v1, on_v2))
    assert v2_size > v1_size  # the token escrow's submit also takes the deposit, and the inputs are named


def test_validate_for_v2_names_every_step_v2_cannot_be_sent_and_v1_accepts_them(tmp_path: Path) -> None:
    (tmp_path / "wasm.thops.json").write_text(json.dumps(WASM_WITH_PARAMS), encoding="utf-8")
    on_v1 = Finished.of(tiny_hops("validate", "wasm.thops.json", cwd=tmp_path))
    assert on_v1.code == 0, on_v1
    on_v2 = Finished.of(tiny_hops("validate", "--backend", "v2", "wasm.thops.json", cwd=tmp_path))
    assert on_v2.code == 1 and "Traceback" not in on_v2.stdout + on_v2.stderr, on_v2
    assert on_v2.stdout_lines[0] == "wasm.thops.json: invalid, 2 problems:"
    assert on_v2.stdout_lines[1].startswith("  $.steps[0].stepModule.params (step 1): on Lilypad v2 the params are")
    assert on_v2.stdout_lines[2].startswith(
        "  $.steps[1].stepModule.params (step 2): module 'deterministic_wasm:v0.0.1' has no main input known"
    )
    inspected = Finished.of(tiny_hops("inspect", "--backend", "v2", "wasm.thops.json", cwd=tmp_path))
    assert inspected.code == 1 and "Traceback" not in inspected.stderr, inspected
    assert [line.split(" (step")[0] for line in inspected.stderr_lines] == [
        "error: wasm.thops.json: $.steps[0].stepModule.params",
        "error: wasm.thops.json: $.steps[1].stepModule.params",
    ]
