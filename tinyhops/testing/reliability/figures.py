"""`make figures`, or `python -m tinyhops.testing.reliability.figures [--soak] [--seed N]`: run the reliability suite
(tests/reliability, the invariant state machine included) and print the figures its tests recorded.

The default profile is the one `make test` runs (plus the state machine's own run, which `make test` does in
tests/unit); --soak (TINYHOPS_SOAK=1) runs the heavy one. Every random choice comes from the seed
(TINYHOPS_SEED, default 20261127), so the figures of a run, and any failure, come out the same again.
Exits with the test run's status, after printing whatever was recorded.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tinyhops.paths import PROJECT_ROOT
from tinyhops.testing.reliability.record import (
    DEFAULT_SEED,
    FIGURES_DIR_VARIABLE,
    SEED_VARIABLE,
    SOAK_VARIABLE,
    collected,
)

Figures = dict[str, dict[str, Any]]
INVARIANTS_TEST = "tests/reliability/invariants_counted.py"


def _n(value: int) -> str:
    return f"{value:,}"


def _load(f: dict[str, Any]) -> str:
    return (
        f"{f['completed']}/{f['workflows']} workflows completed: {f['mixed']} of mixed shapes submitted at once "
        f"by {f['accounts']} accounts, and a {f['fan_out_steps']}-step fan-out; {_n(f['jobs'])} jobs, "
        "all run by one provider process"
    )


def _faults(f: dict[str, Any]) -> list[str]:
    return [
        f"{f['kills']} SIGKILLs of the provider survived ({f['provider_starts']} starts); "
        f"{f['injected_failures']} injected job failures and {f['module_failures']} real module failures retried; "
        f"{f['hangs']} hung jobs, {f['expiries']} expired (by the keeper or a stranger) and retried",
        f"{f['ended_as_predicted']}/{f['workflows']} workflows ended as the seed predicts "
        f"({f['completed']} completed, {f['failed']} failed, {f['cancelled']} cancelled); {_n(f['jobs'])} jobs, "
        "each answered once, none lost",
        f"{f['duplicates_refused']} duplicate answers refused (JobAlreadyAnswered); "
        f"{f['late_after_expiry'] + f['late_after_cancel'] + f['late_after_end']} late answers ignored "
        f"({f['late_after_expiry']} for expired attempts, {f['late_after_cancel']} after a cancel, "
        f"{f['late_after_end']} after a failure); {f['answered_out_of_order']} answered out of order",
    ]


def _faults_v2(f: dict[str, Any]) -> list[str]:
    return [
        f"{f['kills']} SIGKILLs of the provider survived ({f['provider_starts']} starts); "
        f"{f['left_unanswered']} jobs left unanswered (hangs, and failures v2 cannot post), "
        f"{f['expiries']} expired and retried",
        f"{f['ended_as_predicted']}/{f['workflows']} workflows ended as the seed predicts "
        f"({f['completed']} completed, {f['failed']} failed, {f['cancelled']} cancelled); {_n(f['jobs'])} jobs, "
        "each answered once, none lost",
        f"{f['duplicates_refused']} duplicate answers ignored (ResultIgnored); "
        f"{f['late_after_expiry'] + f['late_after_cancel'] + f['late_after_end']} late answers ignored; "
        f"{f['answered_out_of_order']} answered out of order",
    ]


def _bad_input(figures: Figures) -> list[str]:
    validate, submit, raw = (figures.get(k) for k in ("validate", "submit", "raw_calldata"))
    lines = []
    total = sum(f["tried"] for f in (validate, submit, raw) if f)
    if validate:
        lines.append(
            f"{_n(validate['tried'])} documents through validate: {_n(validate['accepted'])} accepted, "
            f"{_n(validate['rejected'])} rejected naming where ({_n(validate['corrupted'])} of them corrupted files)"
        )
    if submit:
        lines.append(
            f"{_n(submit['tried'])} documents through submit: {submit.get('sent', 0)} sent, "
            f"{submit['tried'] - submit.get('sent', 0)} refused before sending"
        )
    if raw:
        custom = sum(v for k, v in raw.items() if k.startswith("reverted_") and k != "reverted_without_data")
        lines.append(
            f"{_n(raw['tried'])} malformed submit calldata sent raw: {raw['reverted_without_data']} reverted by "
            f"the ABI decoder, {custom} with a custom error, "
            f"{raw.get('still_valid_and_funded_not_sent', 0)} still valid; nothing stored"
        )
    if lines:
        lines.insert(0, f"{_n(total)} bad inputs, no traceback:")
    return lines


def render(figures: Figures, seed: int, soak: bool) -> str:
    out = [f"Tiny Hops reliability figures ({'soak' if soak else 'default'} profile, seed {seed})"]

    def section(name: str, lines: list[str]) -> None:
        out.append(f"  {name:<11} {lines[0]}")
        out.extend(f"  {'':<11} {line}" for line in lines[1:])

    section("load", [_load(figures["load"])] if "load" in figures else ["not run"])
    section("faults", _faults(figures["faults"]) if "faults" in figures else ["not run"])
    if "load_v2" in figures:
        section("load v2", [_load(figures["load_v2"])])
    if "faults_v2" in figures:
        section("faults v2", _faults_v2(figures["faults_v2"]))
    if "chain" in figures:
        chain = figures["chain"]
        section(
            "chain",
            [
                f"{chain['anvil_restarts']} anvil restarts under a running workflow (stopped and reloaded; killed and "
                "rolled back to saved state): provider and monitor reconnected, the workflow completed"
            ],
        )
    else:
        section("chain", ["not run"])
    section("bad input", _bad_input(figures) or ["not run"])
    if "invariants" in figures:
        inv = figures["invariants"]
        section(
            "invariants",
            [
                f"{inv['examples']} examples x up to {inv['max_steps']} steps of the registry state machine "
                f"({_n(inv['steps'])} steps, invariants checked after each), seed {inv['seed']}"
            ],
        )
    else:
        section("invariants", ["not run"])
    money = [figures[k]["wei_unaccounted"] for k in ("load", "faults") if k in figures]
    section("money", [f"wei unaccounted: {sum(money)}" if money else "not run"])
    tokens = [figures[k]["wei_unaccounted"] for k in ("load_v2", "faults_v2") if k in figures]
    if tokens:
        section("money v2", [f"token units unaccounted: {sum(tokens)}"])
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tinyhops.testing.reliability.figures", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--soak", action="store_true", help="the heavy profile (TINYHOPS_SOAK=1)")
    parser.add_argument("--seed", type=int, default=int(os.environ.get(SEED_VARIABLE) or DEFAULT_SEED))
    parser.add_argument("--keep", type=Path, help="leave the recorded JSON figures in this folder")
    parser.add_argument("pytest_args", nargs="*", help="extra arguments for `ape test`")
    args = parser.parse_args(argv)
    soak = args.soak or os.environ.get(SOAK_VARIABLE, "") not in ("", "0")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="tinyhops-figures-"))
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        FIGURES_DIR_VARIABLE: str(folder),
        SEED_VARIABLE: str(args.seed),
        SOAK_VARIABLE: "1" if soak else "",
    }
    ape_test = [str(Path(sys.executable).with_name("ape")), "test", "-p", "no:cacheprovider", "-q", *args.pytest_args]
    started = time.monotonic()
    status = subprocess.call([*ape_test, "tests/reliability"], cwd=PROJECT_ROOT, env=env)
    # The state machine in a session (and on a chain) of its own: what earlier tests did to the chain, its
    # clock included, would otherwise change what the same seed makes it do.
    status = subprocess.call([*ape_test, INVARIANTS_TEST], cwd=PROJECT_ROOT, env=env) or status
    seconds = time.monotonic() - started
    print()
    print(render(collected(folder), args.seed, soak))
    print(f"({int(seconds) // 60}m{int(seconds) % 60:02d}s; recorded in {folder})")
    if status:
        print(f"\nthe reliability suite FAILED (exit {status}): the figures above are from the tests that passed")
    return status


if __name__ == "__main__":
    sys.exit(main())
