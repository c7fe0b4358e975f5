"""Every typed error of Tiny Hops, in one hierarchy under TinyHopsError. Each names where the problem is (file,
JSON path, step id) and what is wrong, in one line. Sections: the workflow file (spec, encoding), the chain,
the local provider.

`TinyHopsError.one_line()` is the only format users see; `tinyhops.cli.reporting` turns any of these into that
line and exit code 1, so no traceback ever reaches a user for bad input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]*")


class TinyHopsError(Exception):
    """Base of every error Tiny Hops reports to a user."""

    def one_line(self) -> str:
        return str(self)


def json_path(parts: Iterable[str | int]) -> str:
    """Render a path such as ("steps", 1, 0, "stepModule") as `$.steps[1][0].stepModule`; a property name that
    is not a plain name is quoted (`$.steps[0]["a b"]`), so a path is always one line."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier() or _NAME.fullmatch(part):
            out += f".{part}"
        else:
            out += f"[{json.dumps(part)}]"
    return out


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a workflow document. `path` is a JSON path, or empty for a problem of the file
    itself (missing, not UTF-8, a JSON syntax error at a line and column)."""

    kind: str
    path: str
    message: str
    step_id: int | str | None = None  # the step's id as the file writes it: a number, or its name

    def __str__(self) -> str:
        where = self.path if self.step_id is None else f"{self.path} (step {self.step_id})"
        return f"{where}: {self.message}" if where else self.message


# The kinds of problem, named so tests and callers can match on them.
SCHEMA = "schema"
DUPLICATE_ID = "duplicate-id"
UNKNOWN_STEP = "unknown-step"
SELF_REFERENCE = "self-reference"
CYCLE = "cycle"
BAD_MODULE = "bad-module"
BAD_COST = "bad-cost"
BAD_TEMPLATE = "bad-template"
BAD_INPUT = "bad-input"
BAD_PARAMETER = "bad-parameter"
LIMIT = "limit"
UNREADABLE = "unreadable"
TRAILING_COMMA = "trailing-comma"


class Problems(TinyHopsError):
    """A document (`source`) with one or more problems; all of them are carried, not only the first."""

    def __init__(self, source: str, problems: Sequence[Problem]):
        self.source = source
        self.problems = tuple(problems)
        super().__init__(self.one_line())

    def one_line(self) -> str:
        first = self.problems[0]
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        return f"{self.source}: {first}{more}"

    def lines(self) -> list[str]:
        return [f"{self.source}: {p}" for p in self.problems]


class WorkflowInvalid(Problems):
    """A workflow document has one or more problems; all of them are carried, not only the first."""

    @property
    def kinds(self) -> set[str]:
        return {p.kind for p in self.problems}


class CostError(TinyHopsError):
    """A cost string that is not a positive whole number of wei."""


class TemplateError(TinyHopsError):
    """A params template with a malformed `{{stepId:` reference."""

    def __init__(self, offset: int, message: str):
        self.offset = offset
        super().__init__(f"at character {offset}: {message}")


class EncodingError(TinyHopsError):
    """Data that cannot be encoded for, or decoded from, the registry's submit arguments."""


# ---- on a chain: connecting, signing, deploying, submitting (tinyhops.chain)


class ConnectionFailed(TinyHopsError):
    """No node answered at the RPC URL."""


class AccountError(TinyHopsError):
    """No usable signing account."""


class NotDeployed(TinyHopsError):
    """No usable deployment for the connected chain."""


class DeploymentError(TinyHopsError):
    """The contracts could not be deployed or do not point at each other."""


class SubmitError(TinyHopsError):
    """A workflow that must not be sent: underpriced steps or a deposit that does not cover it."""


class UnknownWorkflow(TinyHopsError):
    """A workflow id the registry never issued; every command says so in these words."""

    def __init__(self, workflow_id: int, registry: str, count: int):
        self.workflow_id = workflow_id
        issued = f"ids 1 to {count} are issued" if count else "no workflow has been submitted yet"
        super().__init__(f"there is no workflow {workflow_id} on registry {registry} ({issued})")


class DefinitionMismatch(TinyHopsError):
    """A workflow file given for step names that is not the workflow submitted under that id."""


class DefinitionUnavailable(TinyHopsError):
    """The workflow's definition cannot be read back (e.g. it was submitted by another contract)."""


class ChainError(TinyHopsError):
    """anvil could not be started or stopped."""


# ---- the local resource provider (tinyhops.provider)


class ProviderError(TinyHopsError):
    """The provider cannot serve this chain or account."""


class CursorUnreadable(TinyHopsError):
    """The cursor file exists but is not a cursor; the provider rescans from the deployment block."""


class FaultSpecError(TinyHopsError):
    """A --faults value that is not SEED:FAIL_RATE:HANG_RATE."""


class StoreError(TinyHopsError):
    """A problem with the content store."""


class InvalidCid(StoreError):
    """A string that is not a CID of the form the store keeps (CIDv0 `Qm…` or CIDv1 base32, sha2-256)."""

    def __init__(self, cid: str):
        self.cid = cid
        super().__init__(f"not a CIDv0 (Qm…) or CIDv1 base32 content id: {cid[:80]!r}")


class ContentNotFound(StoreError):
    """No content is stored under this CID."""

    def __init__(self, cid: str):
        self.cid = cid
        super().__init__(f"no content in the store for {cid}")


class NotInDirectory(StoreError):
    """A path into stored content that does not name an entry (or the content is not what was asked)."""

    def __init__(self, reference: str, reason: str):
        self.reference = reference
        super().__init__(f"{reference}: {reason}")


class ContentCorrupt(StoreError):
    """The bytes stored under a CID no longer hash to it."""

    def __init__(self, cid: str, actual: str):
        self.cid = cid
        self.actual = actual
        super().__init__(f"content stored under {cid} hashes to {actual}")


MAX_REASON_CHARS = 200


def one_line(text: str, limit: int = MAX_REASON_CHARS) -> str:
    """`text` on one line (runs of whitespace, newlines included, become one space), cut to `limit` chars."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."


class ModuleFailed(TinyHopsError):
    """A module produced no output; `reason` is one line, as the provider answers `JOB_FAILED:<reason>`."""

    def __init__(self, reason: str):
        self.reason = one_line(reason) or "module failed"
        super().__init__(self.reason)


# ---- the module catalog (tinyhops.catalog)


class CatalogError(TinyHopsError):
    """A problem with the module catalog or a module template."""


class CatalogEntryInvalid(Problems, CatalogError):
    """A catalog entry (or a drafted one) with one or more problems, each naming its JSON path."""


class UnknownModule(CatalogError):
    """A module name that no catalog entry has (as its name or its `cmd`)."""

    def __init__(self, name: str, known: Sequence[str], suggestion: str | None = None):
        self.name = name
        hint = f"; did you mean {suggestion!r}?" if suggestion else f" (known: {', '.join(known)})"
        super().__init__(f"no module {name[:80]!r} in the catalog{hint}")


class TemplateUnreadable(CatalogError):
    """A Lilypad module template that cannot be read or parsed; names the line where it went wrong. The message
    is one line even when it quotes a template's text."""

    def __init__(self, message: str):
        super().__init__(one_line(message, 300))
