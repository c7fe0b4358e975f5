"""The provider's --faults option (tinyhops.provider.faults): parsing, determinism, shares, and its --help."""

from __future__ import annotations

import importlib.util
from collections import Counter

import pytest
from click.testing import CliRunner

from tinyhops.errors import FaultSpecError
from tinyhops.paths import PROJECT_ROOT
from tinyhops.provider.faults import Fault, FaultPlan, FaultPlanType, parse


def test_a_plan_decides_by_seed_and_job_identity_only() -> None:
    plan = parse("7:0.2:0.1")
    assert plan == FaultPlan(7, 0.2, 0.1) and str(plan) == "7:0.2:0.1"
    keys = [(w, i, a) for w in range(1, 30) for i in range(10) for a in range(1, 4)]
    first = [plan.decide(k) for k in keys]
    assert first == [parse("7:0.2:0.1").decide(k) for k in keys]  # a restarted provider decides the same
    assert first != [parse("8:0.2:0.1").decide(k) for k in keys]  # another seed, other jobs
    shares = Counter(first)
    assert abs(shares[Fault.FAIL] / len(keys) - 0.2) < 0.04 and abs(shares[Fault.HANG] / len(keys) - 0.1) < 0.03


def test_no_faults_at_zero_rates_and_all_at_one() -> None:
    assert {parse("1:0:0").decide((i,)) for i in range(200)} == {Fault.NONE}
    assert {parse("1:1:0").decide((i,)) for i in range(200)} == {Fault.FAIL}
    assert {parse("1:0:1").decide((i,)) for i in range(200)} == {Fault.HANG}


@pytest.mark.parametrize("text", ["", "7", "7:0.1", "x:0.1:0.1", "7:a:0.1", "7:0.1:2", "7:-0.1:0", "7:0.6:0.6"])
def test_bad_plans_are_refused_in_one_line(text: str) -> None:
    with pytest.raises(FaultSpecError) as info:
        parse(text)
    assert "\n" not in str(info.value)


def test_the_provider_documents_faults_and_leaves_them_off_by_default() -> None:
    spec = importlib.util.spec_from_file_location("provider_script", PROJECT_ROOT / "scripts" / "provider.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    (option,) = [p for p in script.cli.params if p.name == "faults"]
    assert option.default is None and isinstance(option.type, FaultPlanType)
    assert "off by default" in (option.help or "") and "SEED:FAIL:HANG" in (option.help or "")
    assert CliRunner().invoke(script.cli, ["--faults", "7:2:0"]).exit_code == 2  # a usage error, not a traceback
