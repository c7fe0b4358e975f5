"""Bad input through `validate` and `submit`: thousands of generated near-valid and invalid .thops.json files
(tests/support/mutations.py). Each is either accepted, or rejected with one line per problem that names
where it is (a JSON path, with the step when there is one; or the step or deposit `submit` refuses); never a
traceback. `submit` rejects before sending anything: no transaction leaves the account, no workflow appears.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from mutations import corrupted_texts, near_valid_documents

from tinyhops.cli.commands import SUBMIT, ape_run
from tinyhops.cli.main import main
from tinyhops.testing import shapes
from tinyhops.testing.reliability.record import profile, record
from tinyhops.testing.reliability.record import seed as suite_seed

VALIDATE_EXAMPLES = profile(2000, 20_000)
CORRUPT_EXAMPLES = profile(500, 5_000)
SUBMIT_EXAMPLES = profile(300, 3_000)
# A problem line: a JSON path, the step it belongs to if any, then the message; or a problem of the file's
# text, which names its line and column when it has one.
PROBLEM = re.compile(r"\$[^\s]*( \(step [^\s()]+\))?: \S")
TEXT_PROBLEM = re.compile(
    r"(invalid JSON( at line \d+ column \d+)?: |trailing comma at line \d+ column \d+: |not UTF-8 text|"
    r"JSON nested too deeply|the file is empty)"
)
SETTINGS = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def write(path: Path, document: Any) -> None:
    path.write_bytes(json.dumps(document).encode("utf-8", "surrogatepass"))


def invoke(command: click.Command, args: list[str]) -> Result:
    result = CliRunner(mix_stderr=False).invoke(command, args, env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code in (0, 1), result.exit_code
    return result


def check_validate(path: Path, tally: Counter[str]) -> None:
    """`validate` accepts with a one-line summary, or lists every problem, one line each, each naming where."""
    result = invoke(main, ["validate", str(path)])
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    if result.exit_code == 0:
        assert len(lines) == 1 and lines[0].startswith(str(path)) and ": valid. " in lines[0], lines
        tally["accepted"] += 1
        return
    head = f"{path}: invalid"
    if lines[0].startswith(f"{head}: "):
        problems = [lines[0][len(head) + 2 :]]
    elif count := re.fullmatch(rf"{re.escape(head)}, (\d+) problems:", lines[0]):
        problems = [line.removeprefix("  ") for line in lines[1:]]
        assert len(problems) == int(count[1]) and all(line.startswith("  ") for line in lines[1:]), lines
    else:  # one problem of the file's text: the file's name, then the problem
        assert len(lines) == 1 and lines[0].startswith(f"{path}: "), lines
        problems = [lines[0][len(str(path)) + 2 :]]
        assert TEXT_PROBLEM.match(problems[0]), problems[0]
    for problem in problems:
        assert PROBLEM.match(problem) or TEXT_PROBLEM.match(problem), problem
    tally["rejected"] += 1
    tally[f"problems {len(problems) if len(problems) < 3 else '3+'}"] += 1


def test_validate_accepts_or_names_every_problem_never_a_traceback(tmp_path: Path) -> None:
    tally: Counter[str] = Counter()
    path = tmp_path / "generated.thops.json"

    @seed(suite_seed())
    @settings(SETTINGS, max_examples=VALIDATE_EXAMPLES)
    @given(document=st.one_of(near_valid_documents(), near_valid_documents(), near_valid_documents()))
    def documents(document: Any) -> None:
        write(path, document)
        check_validate(path, tally)

    @seed(suite_seed())
    @settings(SETTINGS, max_examples=CORRUPT_EXAMPLES)
    @given(data=corrupted_texts())
    def corrupted(data: bytes) -> None:
        path.write_bytes(data)
        check_validate(path, tally)
        tally["corrupted"] += 1

    documents()
    corrupted()
    assert tally["accepted"] and tally["rejected"]
    figures = {k.replace(" ", "_"): v for k, v in tally.items()}
    record("validate", tried=tally["accepted"] + tally["rejected"], **figures)


FREE_MODULE = "free:v0.0.1"


def free_modules(document: Any) -> Any:
    """The same document with every module that LocalLilypad charges 1 wei for, at a gwei a step, so it passes
    `submit`'s price check and, if valid, is really sent (without draining the account)."""
    if isinstance(document, dict) and isinstance(document.get("steps"), list):
        for entry in document["steps"]:
            for step in entry if isinstance(entry, list) else [entry]:
                module = step.get("stepModule") if isinstance(step, dict) else None
                if isinstance(module, dict) and "cmd" in module:
                    module.update(cmd=FREE_MODULE, cost="1 gwei")
    return document


DEPOSITS = st.one_of(
    st.none(), st.none(), st.sampled_from(["0", "-1", "abc", "1e400", "0.0000000000000000001", "1", "99999999"])
)


SENDER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"  # test account 0, the default signer on a local chain


def plain_submit() -> click.Command:
    """`ape run submit` without Ape's own connecting: its options and code, on the chain the test is on."""
    ape_submit = ape_run(SUBMIT)
    return click.Command("submit", callback=ape_submit.callback, params=ape_submit.params)


def test_regression_submit_names_the_account_that_cannot_pay_the_deposit(
    harness: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """Found by the submit fuzzing: a deposit above the account's balance went to the node, and all one read was
    its raw "VirtualMachineError: {'code': -32003, 'message': 'Insufficient funds for gas * price + value'}"."""
    monkeypatch.delenv("THOPS_PRIVATE_KEY", raising=False)
    path = tmp_path / "one.thops.json"
    write(path, shapes.chain(1))
    before = harness.chain.nonce(SENDER)
    result = invoke(plain_submit(), [str(path), "--deposit", "99999999"])
    assert result.exit_code == 1 and harness.chain.nonce(SENDER) == before
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: account {SENDER} holds ") and "less than the deposit of 99999999 ETH" in line


def test_submit_rejects_before_sending_or_sends(
    harness: Any, project: Any, accounts: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """`ape run submit`'s own code (tinyhops.cli.commands, tinyhops.cli.chain_commands) on the test chain."""
    monkeypatch.delenv("THOPS_PRIVATE_KEY", raising=False)
    # free_modules' module costs the local Lilypad 1 wei: known to it (an unpriced one is refused), and cheap.
    project.LocalLilypad.at(harness.deployment.lilypad).setModuleCost(FREE_MODULE, 1, sender=accounts[0])
    submit = plain_submit()
    registry, chain = harness.stack.registry, harness.chain
    path = tmp_path / "generated.thops.json"
    tally: Counter[str] = Counter()

    @seed(suite_seed())
    @settings(SETTINGS, max_examples=SUBMIT_EXAMPLES)
    @given(
        document=st.one_of(near_valid_documents(), st.builds(free_modules, near_valid_documents())), deposit=DEPOSITS
    )
    def check(document: Any, deposit: str | None) -> None:
        write(path, document)
        before = (registry.call("workflowCount"), chain.nonce(SENDER))
        result = invoke(submit, [str(path)] + (["--deposit", deposit] if deposit else []))
        if result.exit_code == 0:
            workflow_id = before[0] + 1
            assert registry.call("workflowCount") == workflow_id
            assert f"Your workflowId is : {workflow_id}" in result.stdout
            tally["sent"] += 1
            return
        assert (registry.call("workflowCount"), chain.nonce(SENDER)) == before, "rejected after sending"
        lines = result.stderr.splitlines()
        assert lines and all(line.startswith("error: ") for line in lines), result.stderr
        first = lines[0].removeprefix("error: ")
        if first.startswith(f"{path}: "):
            assert all(PROBLEM.match(line.removeprefix(f"error: {path}: ")) for line in lines), lines
            tally["rejected: invalid document"] += 1
        elif re.match(r"step \S+: module '[^']*' is not offered by the Lilypad at 0x", first):
            assert len(lines) == 1 and first.endswith("(it has no price for it)"), lines
            tally["rejected: unknown module"] += 1
        elif re.match(r"step \S+ \(", first):
            assert len(lines) == 1 and " offers " in first and "Lilypad charges" in first, first
            tally["rejected: priced below Lilypad"] += 1
        elif first.startswith(("deposit ", "--deposit ")):
            assert len(lines) == 1, lines
            tally["rejected: deposit"] += 1
        elif first.startswith(f"account {SENDER} holds "):
            assert len(lines) == 1 and "less than the deposit" in first, lines
            tally["rejected: balance"] += 1
        else:
            raise AssertionError(f"rejected for a reason that names no place: {lines}")

    check()
    assert tally["sent"] and tally["rejected: invalid document"] and tally["rejected: priced below Lilypad"]
    record("submit", tried=sum(tally.values()), **{k.replace(" ", "_").replace(":", ""): v for k, v in tally.items()})
