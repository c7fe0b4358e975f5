"""Every example workflow validates as shipped (its parameters' defaults, or the values its description
shows), against the schema and the module catalog, for both Lilypad backends where its modules travel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tinyhops import spec
from tinyhops.catalog import shipped_catalog
from tinyhops.catalog.workflow_checks import catalog_findings
from tinyhops.encoding.backends import for_backend
from tinyhops.paths import PROJECT_ROOT
from tinyhops.spec import parameters

EXAMPLES = sorted((PROJECT_ROOT / "examples").glob("*.thops.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_validates_with_the_catalog(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    workflow = for_backend(spec.load(path), "v2", str(path))
    assert workflow.steps
    assert catalog_findings(parameters.resolve(document)[0], shipped_catalog()).errors == ()


def test_an_example_uses_names_and_parameters() -> None:
    workflow = spec.load(
        PROJECT_ROOT / "examples" / "named-steps-and-parameters.thops.json", parameters={"topic": "milk", "seed": "3"}
    )
    assert [s.label for s in workflow.steps] == ["fetch-joke", "cow-says"]
    assert dict(workflow.parameters) == {"topic": "milk", "seed": 3, "take": 1}
    assert workflow.steps[0].inputs is not None and workflow.steps[0].params_source == '{"Topic": "milk", "Seed": "3"}'
