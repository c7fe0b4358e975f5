"""Which steps may use the result cache: what the file says, else the catalog's `deterministic`; `--no-cache`
(Workflow.without_cache) turns every step off; the flag travels in submit's arguments and back."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinyhops import spec
from tinyhops.catalog import shipped_catalog, with_cache_defaults
from tinyhops.encoding.submit_arguments import decode, encode
from tinyhops.errors import WorkflowInvalid

DETERMINISTIC = "cowsay:v0.0.1"
NOT_DETERMINISTIC = "llama3.1:8b"  # the catalog says a language model's sampling is not


def document(*cacheable: bool | None, module: str = DETERMINISTIC) -> dict[str, Any]:
    steps = []
    for index, flag in enumerate(cacheable, start=1):
        step: dict[str, Any] = {"stepId": str(index), "stepModule": {"cmd": module, "params": "hi", "cost": "1"}}
        if flag is not None:
            step["cacheable"] = flag
        steps.append(step)
    return {"version": "v0.0.1", "steps": steps}


def test_the_catalog_names_modules_of_both_kinds() -> None:
    catalog = shipped_catalog()
    assert catalog.find(DETERMINISTIC).deterministic
    assert not catalog.find(NOT_DETERMINISTIC).deterministic


@given(flags=st.lists(st.sampled_from([True, False, None]), min_size=1, max_size=6), deterministic=st.booleans())
def test_a_step_is_cacheable_as_its_file_says_else_as_its_module_is_deterministic(
    flags: list[bool | None], deterministic: bool
) -> None:
    module = DETERMINISTIC if deterministic else NOT_DETERMINISTIC
    read = spec.load(document(*flags, module=module))
    assert [s.cacheable for s in read.steps] == [flag is True for flag in flags]
    defaulted = with_cache_defaults(read)
    assert [s.cacheable for s in defaulted.steps] == [deterministic if f is None else f for f in flags]
    assert not any(s.cacheable for s in defaulted.without_cache().steps)
    assert decode(encode(defaulted)) == defaulted  # the flag travels to the chain and back


def test_a_module_the_catalog_does_not_list_is_not_cacheable_by_default() -> None:
    read = spec.load(document(None, module="somebody/else:v1"))
    assert not with_cache_defaults(read).steps[0].cacheable


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_cacheable_must_be_a_boolean(value: Any) -> None:
    bad = document(True)
    bad["steps"][0]["cacheable"] = value
    with pytest.raises(WorkflowInvalid, match="cacheable"):
        spec.load(bad)
