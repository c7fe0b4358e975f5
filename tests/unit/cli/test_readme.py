"""The README's examples pass as written, and its Modules table says what the local stand-in really runs.

Convention (README.md): a ```sh block whose first line is `# needs a chain...` or `# slow...` is not run here;
every other ```sh block is run as written by bash (`set -e`: each command must succeed), in a fresh empty
folder, or in the checkout's root when it uses `ape run` (which works only there). A ```text block that starts
with `$ COMMAND` is a transcript: COMMAND runs in the checkout's root and prints exactly the rest of the block.
A ```python block runs in the checkout's root. The marked blocks are checked to need what they say they need,
so nothing offline hides behind a mark.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_processes import child_env

from tinyhops.chain.deploy import ETHER, LOCAL_MODULE_COSTS
from tinyhops.paths import PROJECT_ROOT
from tinyhops.provider.modules import MODULES

README = PROJECT_ROOT / "README.md"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
MARKS = ("# needs a chain", "# slow")
# Commands that need no node; a block marked "needs a chain" must hold some other command.
OFFLINE = re.compile(
    r"^(tiny-hops (validate|generate-template|inspect|graph \S+\.json|put|modules)"
    r"|ape run (validate|inspect|template))\b"
)
BIN = Path(sys.executable).parent


def _blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(README.read_text(encoding="utf-8")) if lang == language]


def _runnable_sh() -> list[str]:
    return [body for body in _blocks("sh") if not body.startswith(MARKS)]


def _commands(body: str) -> list[str]:
    lines = (line.strip() for line in body.splitlines())
    return [line.split("  #")[0].strip() for line in lines if line and not line.startswith("#")]


def _environment() -> dict[str, str]:
    env = child_env()
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def _bash(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=_environment(), capture_output=True, text=True, timeout=300, check=False
    )


def test_the_readme_has_runnable_blocks_and_marks_only_what_needs_more() -> None:
    sh = _blocks("sh")
    marked = [body for body in sh if body.startswith(MARKS)]
    assert len(_runnable_sh()) >= 2 and _blocks("python"), "the README lost its offline examples"
    for body in marked:
        commands = _commands(body)
        if body.startswith("# needs a chain"):
            assert any(not OFFLINE.match(c) for c in commands), f"marked as needing a chain, but offline:\n{body}"
        else:
            assert all(c.startswith(("make ", "TINYHOPS_SOAK=")) for c in commands), f"marked slow:\n{body}"


@pytest.mark.parametrize("body", _runnable_sh(), ids=lambda body: _commands(body)[0][:40])
def test_every_offline_sh_block_runs_as_written(body: str, tmp_path: Path) -> None:
    cwd = PROJECT_ROOT if any(c.startswith("ape run") for c in _commands(body)) else tmp_path
    for command in _commands(body):
        assert OFFLINE.match(command), f"an unmarked block runs {command!r}: mark it or make it offline"
    done = _bash("set -euo pipefail\n" + body, cwd)
    assert done.returncode == 0, f"{body}\n[exit {done.returncode}]\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stdout + done.stderr


def _transcripts() -> list[str]:
    return [body for body in _blocks("text") if body.startswith("$ ")]


@pytest.mark.parametrize("body", _transcripts(), ids=lambda body: body.splitlines()[0][2:42])
def test_every_transcript_prints_what_the_readme_shows(body: str) -> None:
    command, *shown = body.splitlines()
    done = _bash(command.removeprefix("$ "), PROJECT_ROOT)
    assert done.stdout.splitlines() == shown, done.stdout + done.stderr


def test_the_python_example_runs() -> None:
    (example,) = _blocks("python")
    done = subprocess.run(
        [sys.executable, "-c", example], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0 and done.stdout.strip(), done.stdout + done.stderr


def test_generate_template_without_a_name_writes_sample_thops_json(tmp_path: Path) -> None:
    """What the README's comment on `generate-template` promises."""
    done = _bash("tiny-hops generate-template", tmp_path)
    assert done.returncode == 0 and (tmp_path / "sample.thops.json").is_file(), done.stdout + done.stderr
    assert done.stdout == "wrote sample.thops.json: 4 steps, validated against the schema\n"


def test_the_modules_table_lists_every_module_at_its_local_price() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("\n## Modules\n") :]
    section = section[: section.index("\n## ", 1)]
    rows = re.findall(r"^\| `([^`]+)` \|.*\| ([0-9.]+) ETH \|$", section, re.MULTILINE)
    assert dict(rows) == {name: str(wei // ETHER) for name, wei in LOCAL_MODULE_COSTS.items()}
    assert set(MODULES) == set(LOCAL_MODULE_COSTS), "a module the provider runs has no local price, or the reverse"


def test_the_cost_examples_of_the_readme_are_costs_validate_takes() -> None:
    from tinyhops.spec.units import parse_cost

    text = README.read_text(encoding="utf-8")
    bullet = text[text.index("- `cost`:") : text.index("- `timeout`")]
    examples = re.findall(r'`"([^"`]+)"`', bullet)
    assert len(examples) >= 4
    for example in examples:
        assert parse_cost(example) > 0
    assert min(LOCAL_MODULE_COSTS.values()) == parse_cost("1"), "the README's first cost example is a local price"


def test_ape_run_works_from_the_checkout_root_only_and_tiny_hops_anywhere(tmp_path: Path) -> None:
    """What the README's Set-up says: `tiny-hops` in any folder, `ape run` from the checkout's root."""
    sample = PROJECT_ROOT / "sample.thops.json"
    shutil.copy(sample, tmp_path / "sample.thops.json")
    anywhere = _bash("tiny-hops validate sample.thops.json", tmp_path)
    assert anywhere.returncode == 0 and ": valid. " in anywhere.stdout, anywhere.stdout + anywhere.stderr
    at_root = _bash(f"ape run validate {sample}", PROJECT_ROOT)
    assert at_root.returncode == 0 and ": valid. " in at_root.stdout, at_root.stdout + at_root.stderr
    elsewhere = _bash(f"ape run validate {sample}", tmp_path)
    assert elsewhere.returncode != 0 and "No such command 'validate'" in elsewhere.stderr, elsewhere
