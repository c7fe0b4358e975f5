"""Named inputs as a local module reads them from its params.

A step's `inputs` (`{"Text": "...", "Image": "Qm…/outputs/image.png"}`) reach a module as one params string:
v1 sends them as a JSON object, and plain text (a v1 step's `params`) is the module's primary input. Lilypad's
modules silently ignore a variable they do not use; the local ones refuse it, naming the inputs they take,
so a misspelt input fails the step instead of being dropped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from tinyhops.errors import ModuleFailed
from tinyhops.provider.modules.failure import require_unicode
from tinyhops.provider.store import ContentStore


def parse_inputs(params: str, module: str, primary: str, defaults: Mapping[str, str]) -> dict[str, str]:
    """The inputs of `module`: `defaults` (every input it takes, "" for a required one) overlaid with the
    params' JSON object, or with `{primary: params}` when the params are not a JSON object."""
    require_unicode(params, f"{module}: the params")
    given: object = None
    if params.lstrip().startswith("{"):
        try:
            given = json.loads(params)
        except json.JSONDecodeError as error:
            raise ModuleFailed(f"{module}: the params are not a JSON object of inputs: {error.msg}") from None
    if not isinstance(given, dict):
        given = {primary: params}
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ModuleFailed(f"{module} takes no input {unknown[0]!r}; its inputs are {', '.join(defaults)}")
    for key, value in given.items():
        if not isinstance(value, str):
            raise ModuleFailed(f"{module}: input {key!r} must be a string, not {type(value).__name__}")
    inputs = {**defaults, **given}
    missing = [key for key, value in inputs.items() if not value.strip() and not defaults[key]]
    if missing:
        raise ModuleFailed(f"{module} needs input {missing[0]!r}, and it is empty")
    return inputs


def primary_text(params: str, key: str) -> str:
    """The params of a module whose one input is `key` (cowsay's `Message`): the value of `key` in a JSON object
    of inputs (how v1 carries `{"Message": ...}` and the provider a v2 job's inputs; other inputs are ignored, as
    Lilypad's template ignores variables it does not use), else the params as they are: text that merely looks
    like JSON is still the text."""
    if params.lstrip().startswith("{"):
        try:
            given = json.loads(params)
        except json.JSONDecodeError:
            return params
        if isinstance(given, dict) and isinstance(given.get(key), str):
            return given[key]
    return params


def read_file(reference: str, store: ContentStore, module: str, what: str, max_bytes: int) -> bytes:
    """The stored file an input names (a CID or CID/path), at most `max_bytes` long."""
    reference = reference.strip()
    if not store.has(reference):
        raise ModuleFailed(f"{module}: {what} {reference[:120]!r} is not a stored CID or CID/path")
    data = store.get_input(reference)
    if len(data) > max_bytes:
        raise ModuleFailed(f"{module}: {what} is {len(data):,} bytes, more than {max_bytes:,}")
    return data
